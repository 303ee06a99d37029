// Schema pieces shared by the BGP speaker adapters' option schemas. Each adapter owns its schema
// (defaults included) and checks it with adapterOptions: a failure names the key and what is
// allowed, and is not retryable: the same options will fail the same way.
import { Type } from 'typebox';
import { AdapterError } from '../../adapter.ts';

export const BLACKHOLE_COMMUNITY = '65535:666';
export const NO_EXPORT_COMMUNITY = '65535:65281';

/** 0-65535, leading zeros allowed up to five digits. */
const U16 = '(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d\\d|6[0-4]\\d{3}|[1-5]\\d{4}|0\\d{4}|\\d{1,4})';
const COMMUNITY = new RegExp(`^${U16}:${U16}$`);

export function isCommunity(c: string): boolean {
  return COMMUNITY.test(c);
}

/** The communities every blackhole carries; by default RFC 7999 BLACKHOLE and NO_EXPORT. */
export const Communities = () => Type.Array(Type.String({ pattern: COMMUNITY.source }), {
  maxItems: 32, default: [BLACKHOLE_COMMUNITY, NO_EXPORT_COMMUNITY],
  allowed: 'a list of up to 32 standard communities "ASN:VALUE" (0-65535 each)',
});

/** A name or value matching `pattern`, described in words. */
export const Matching = (pattern: RegExp, allowed: string, dflt?: string) =>
  Type.String({ pattern: pattern.source, allowed, ...(dflt === undefined ? {} : { default: dflt }) });

/** The communities a blackhole carries: the operator's configured set plus the rule's own. */
export function blackholeCommunities(configured: string[], fromRule: string[]): string[] {
  for (const c of fromRule) if (!isCommunity(c)) throw new AdapterError(`rule communities: "${c}" is not a standard community ASN:VALUE`, false);
  return [...new Set([...configured, ...fromRule])].sort();
}
