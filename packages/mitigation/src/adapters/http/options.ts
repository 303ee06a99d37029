// Option checks shared by the HTTP adapters. Each failure is a permanent AdapterError whose message
// starts with the key ("options.account_id: …") and says what is allowed.
import { AdapterError } from '../../adapter.ts';

export function badOption(key: string, what: string): AdapterError {
  return new AdapterError(`${key}: ${what}`, false);
}

/** Refuses keys the adapter does not know: a typo would otherwise silently fall back to a default. */
export function refuseUnknown(options: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw badOption(`options.${k}`, `unknown option (allowed: ${allowed.join(', ')})`);
  }
}

export function stringOption(options: Record<string, unknown>, key: string, spec: { describe: string; pattern?: RegExp; patternText?: string; fallback?: string }): string {
  const v = options[key];
  if (v === undefined || v === null || v === '') {
    if (spec.fallback !== undefined) return spec.fallback;
    throw badOption(`options.${key}`, `required (${spec.describe})`);
  }
  if (typeof v !== 'string') throw badOption(`options.${key}`, `must be a string (${spec.describe})`);
  if (spec.pattern && !spec.pattern.test(v)) throw badOption(`options.${key}`, `${JSON.stringify(v.slice(0, 80))} is not ${spec.patternText ?? 'valid'}`);
  return v;
}

export function boolOption(options: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = options[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw badOption(`options.${key}`, 'must be true or false');
  return v;
}

export function enumOption<T extends string>(options: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = options[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw badOption(`options.${key}`, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** An http(s) URL for the endpoint; `fallback` when it is empty. */
export function endpointUrl(endpoint: string, describe: string, fallback?: string): string {
  const e = endpoint.trim() || fallback || '';
  if (!e) throw badOption('endpoint', `required (${describe})`);
  if (!URL.canParse(e)) throw badOption('endpoint', `${JSON.stringify(e.slice(0, 80))} is not a URL (${describe})`);
  const u = new URL(e);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badOption('endpoint', `must be an http or https URL (${describe})`);
  if (u.username || u.password) throw badOption('endpoint', 'must not carry credentials; put the secret in auth_token');
  return e.replace(/\/+$/, '');
}

export function requireToken(token: string | null, describe: string): string {
  if (!token) throw badOption('auth_token', `required (${describe})`);
  return token;
}

export interface ParsedPrefix { address: string; length: number; v6: boolean }

/** Splits a canonical CIDR prefix (as RuleSpec carries it). */
export function parsePrefix(prefix: string): ParsedPrefix {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(prefix);
  if (!m) throw new AdapterError(`prefix ${JSON.stringify(prefix)} is not CIDR (address/length)`, false);
  const v6 = m[1]!.includes(':');
  const length = Number(m[2]);
  if (length > (v6 ? 128 : 32)) throw new AdapterError(`prefix ${prefix}: length ${length} is too long for IPv${v6 ? 6 : 4}`, false);
  return { address: m[1]!.toLowerCase(), length, v6 };
}

/** A host route is written by most appliances as the bare address. */
export const isHost = (p: ParsedPrefix) => p.length === (p.v6 ? 128 : 32);

/** Reads back an address an appliance shows (bare host or CIDR) as a canonical prefix. */
export function toPrefix(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (/^[0-9a-f:.]+\/\d{1,3}$/.test(t)) return t;
  if (/^[0-9.]+$/.test(t)) return `${t}/32`;
  if (/^[0-9a-f:.]+$/.test(t) && t.includes(':')) return `${t}/128`;
  return null;
}
