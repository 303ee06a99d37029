// Which configured target covers an attacked address: shared by every provider's targetFor().
import { canonicalPrefix, parsePrefix, prefixCovers } from '@breakwater/contracts';
import { ScrubbingError } from './errors.ts';

/**
 * The entry of `entries` (addresses or CIDR prefixes) that holds every address of `address` (an
 * address or a prefix), the most specific one when several do; null when none does.
 */
export function coveringEntry(entries: readonly string[], address: string): string | null {
  const a = typeof address === 'string' ? parsePrefix(address.trim()) : null;
  if (!a) return null;
  let best: { entry: string; len: number } | null = null;
  for (const entry of entries) {
    const p = parsePrefix(entry);
    if (p && prefixCovers(p, a) && (!best || p.len > best.len)) best = { entry, len: p.len };
  }
  return best?.entry ?? null;
}

/** Whether any entry covers `address`. */
export const covers = (entries: readonly string[], address: string): boolean => coveringEntry(entries, address) !== null;

/**
 * `target` as the config names it (canonical form compared for addresses and prefixes), or a
 * ScrubbingError about `target` saying which ones the integration has.
 */
export function namedTarget(known: readonly string[], target: string): string {
  const want = typeof target === 'string' ? target.trim() : '';
  const canon = canonicalPrefix(want);
  const hit = known.find((k) => k === want || (canon !== null && canonicalPrefix(k) === canon));
  if (hit !== undefined) return hit;
  const list = known.slice(0, 5).join(', ') + (known.length > 5 ? ', …' : '');
  throw ScrubbingError.config('target', `must be one of this integration's targets (${list}), got ${JSON.stringify(want.slice(0, 64))}`);
}
