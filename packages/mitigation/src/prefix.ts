// IPv4/IPv6 prefixes as numbers, so "is this target covered by that allowlist entry" is exact
// arithmetic rather than string matching.
import { isIPv4, isIPv6 } from 'node:net';

export interface Prefix {
  family: 4 | 6;
  /** Network address with host bits cleared. */
  bits: bigint;
  len: number;
}

function v4ToBig(addr: string): bigint {
  let n = 0n;
  for (const part of addr.split('.')) n = (n << 8n) | BigInt(Number(part));
  return n;
}

function v6ToBig(addr: string): bigint {
  let text = addr.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = v4ToBig(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g || '0', 16));
  if (tailV4 !== null) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

/** Parses "addr" or "addr/len"; null when it is not an IP address or prefix. Host bits are cleared. */
export function parsePrefix(text: string): Prefix | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : 0;
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l)) return null;
    len = Number(l);
    if (len > max) return null;
  }
  const raw = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const hostBits = BigInt(max - len);
  const bits = (raw >> hostBits) << hostBits;
  return { family, bits, len };
}

export function formatPrefix(p: Prefix): string {
  if (p.family === 4) {
    const n = Number(p.bits);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p.len}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((p.bits >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Shorten the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const text = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  return `${text}/${p.len}`;
}

/** The canonical "network/len" text, or null when the input is not an address or prefix. */
export function canonicalPrefix(text: string): string | null {
  const p = parsePrefix(text);
  return p ? formatPrefix(p) : null;
}

/** True when the two prefixes share at least one address. */
export function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const max = a.family === 4 ? 32 : 128;
  const len = Math.min(a.len, b.len);
  const shift = BigInt(max - len);
  return a.bits >> shift === b.bits >> shift;
}

/** True when `outer` contains every address of `inner`. */
export function contains(outer: Prefix, inner: Prefix): boolean {
  return outer.len <= inner.len && overlaps(outer, inner);
}
