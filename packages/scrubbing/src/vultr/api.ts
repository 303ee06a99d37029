// Vultr API v2: the requests this integration sends and how it reads the replies. Bearer API key;
// JSON; errors as {"error": "...", "status": 4xx}.
//   GET   /v2/instances/{instance-id}  -> 200 {instance: {id, main_ip, v6_main_ip, features: [...,"ddos_protection"], …}}
//   PATCH /v2/instances/{instance-id}  {"ddos_protection": true|false} -> 202 {instance: {…}}
//   GET   /v2/account                  -> 200 {account: {…}} (what test() asks: the key works)
// Which Vultr feature: DDoS Protection, the per-instance option Vultr documents for DDoS attacks
// ("ddos_protection" on Create/Update Instance; an additional charge). Vultr firewall groups only
// admit traffic (accept rules) in front of an instance and cannot take an attack off its uplink,
// so they are not used. Rate limit: 30 requests/s per IP, then 429 with no Retry-After (back off).
export const DOCS = [
  'https://www.vultr.com/api/#tag/instances/operation/update-instance',
  'https://www.vultr.com/api/#tag/instances/operation/get-instance',
  'https://www.vultr.com/api/#tag/account/operation/get-account',
  'https://docs.vultr.com/support/platform/api/what-rate-limits-apply-to-the-vultr-api',
];
export const DEFAULT_API_URL = 'https://api.vultr.com/v2';
export const DDOS_FEATURE = 'ddos_protection';

export interface VultrInstance { id: string; main_ip: string; v6_main_ip: string; features: string[]; status: string; label: string }
export interface VultrRequest { method: 'GET' | 'PATCH'; path: string; body?: unknown }

export const getInstance = (id: string): VultrRequest => ({ method: 'GET', path: `/instances/${encodeURIComponent(id)}` });
export const setDdosProtection = (id: string, on: boolean): VultrRequest => ({ method: 'PATCH', path: `/instances/${encodeURIComponent(id)}`, body: { ddos_protection: on } });
export const getAccount = (): VultrRequest => ({ method: 'GET', path: '/account' });

export function parseInstance(json: unknown): VultrInstance | null {
  const i = (json as { instance?: Partial<VultrInstance> } | null)?.instance;
  if (!i || typeof i !== 'object' || typeof i.id !== 'string') return null;
  return {
    id: i.id,
    main_ip: typeof i.main_ip === 'string' ? i.main_ip : '',
    v6_main_ip: typeof i.v6_main_ip === 'string' ? i.v6_main_ip : '',
    features: Array.isArray(i.features) ? i.features.filter((f): f is string => typeof f === 'string') : [],
    status: typeof i.status === 'string' ? i.status : '',
    label: typeof i.label === 'string' ? i.label : '',
  };
}

/** Vultr's error envelope: {"error": "Invalid API token.", "status": 401}. */
export function errorOf(json: unknown): string | null {
  const e = (json as { error?: unknown } | null)?.error;
  return typeof e === 'string' && e ? e : null;
}
