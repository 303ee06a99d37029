// Endpoint and credential checks shared by the HTTP adapters (their options are each adapter's own
// schema, checked by adapterOptions). Each failure is a permanent AdapterError carrying the key.
import { AdapterError } from '../../adapter.ts';

/** An http(s) URL for the endpoint; `fallback` when it is empty. */
export function endpointUrl(endpoint: string, describe: string, fallback?: string): string {
  const e = endpoint.trim() || fallback || '';
  if (!e) throw AdapterError.about('endpoint', `required (${describe})`);
  if (!URL.canParse(e)) throw AdapterError.about('endpoint', `${JSON.stringify(e.slice(0, 80))} is not a URL (${describe})`);
  const u = new URL(e);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw AdapterError.about('endpoint', `must be an http or https URL (${describe})`);
  if (u.username || u.password) throw AdapterError.about('endpoint', 'must not carry credentials; put the secret in auth_token');
  return e.replace(/\/+$/, '');
}

export function requireToken(token: string | null, describe: string): string {
  if (!token) throw AdapterError.about('auth_token', `required (${describe})`);
  return token;
}

/** Reads back an address an appliance shows (bare host or CIDR) as a canonical prefix. */
export function toPrefix(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (/^[0-9a-f:.]+\/\d{1,3}$/.test(t)) return t;
  if (/^[0-9.]+$/.test(t)) return `${t}/32`;
  if (/^[0-9a-f:.]+$/.test(t) && t.includes(':')) return `${t}/128`;
  return null;
}
