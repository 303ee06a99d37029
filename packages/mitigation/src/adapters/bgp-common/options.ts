// Option checks shared by the BGP speaker adapters. Each failure names the key and what is
// allowed, and is not retryable: the same options will fail the same way.
import { isIP } from 'node:net';
import { AdapterError } from '../../adapter.ts';

export const BLACKHOLE_COMMUNITY = '65535:666';
export const NO_EXPORT_COMMUNITY = '65535:65281';

const bad = (key: string, allowed: string, got: unknown) =>
  new AdapterError(`options.${key}: must be ${allowed} (got ${JSON.stringify(got) ?? String(got)})`, false);

/** Refuses keys the adapter does not know, so a typo is not silently ignored. */
export function onlyKnownKeys(options: Record<string, unknown>, known: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new AdapterError('options: must be an object', false);
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new AdapterError(`options.${k}: unknown option (allowed: ${known.join(', ')})`, false);
  }
}

export function optInt(options: Record<string, unknown>, key: string, min: number, max: number, dflt?: number): number {
  const v = options[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(key, `an integer ${min}-${max}`, options[key]);
  return v;
}

export function optString(options: Record<string, unknown>, key: string, pattern: RegExp, allowed: string, dflt?: string): string {
  const v = options[key] ?? dflt;
  if (typeof v !== 'string' || !pattern.test(v)) throw bad(key, allowed, options[key]);
  return v;
}

export function optIp(options: Record<string, unknown>, key: string, family: 4 | 6, dflt: string): string {
  const v = options[key] ?? dflt;
  if (typeof v !== 'string' || isIP(v) !== family) throw bad(key, `an IPv${family} address`, options[key]);
  return v;
}

const COMMUNITY = /^(\d{1,5}):(\d{1,5})$/;

export function isCommunity(c: string): boolean {
  const m = COMMUNITY.exec(c);
  return !!m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535;
}

export function optCommunities(options: Record<string, unknown>, key: string, dflt: string[]): string[] {
  const v = options[key] ?? dflt;
  if (!Array.isArray(v) || v.length > 32 || !v.every((c) => typeof c === 'string' && isCommunity(c))) {
    throw bad(key, 'a list of up to 32 standard communities "ASN:VALUE" (0-65535 each)', options[key]);
  }
  return v as string[];
}

/** The communities a blackhole carries: the operator's configured set plus the rule's own. */
export function blackholeCommunities(configured: string[], fromRule: string[]): string[] {
  for (const c of fromRule) if (!isCommunity(c)) throw new AdapterError(`rule communities: "${c}" is not a standard community ASN:VALUE`, false);
  return [...new Set([...configured, ...fromRule])].sort();
}
