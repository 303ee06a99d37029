// DigitalOcean API v2, Cloud Firewalls: the requests this integration sends and how it reads the
// replies. Bearer token; JSON bodies; errors as {id, message, request_id}; 429 with Retry-After.
//   GET    /v2/firewalls/{firewall_id}        -> 200 {firewall: {id, name, status, inbound_rules, pending_changes, …}}
//   POST   /v2/firewalls/{firewall_id}/rules  {inbound_rules: [...]} -> 204 (adds rules)
//   DELETE /v2/firewalls/{firewall_id}/rules  {inbound_rules: [...]} -> 204 (removes rules)
// An inbound rule is {protocol: tcp|udp|icmp, ports: "80" | "8000-9000" | "0" (all), sources: {addresses: [...]}}.
// A Cloud Firewall only admits (traffic matching no rule is dropped), so narrowing a rule's
// sources is how it sheds a flood; firewall.status is "waiting" while Droplets are being updated.
export const DOCS = [
  'https://docs.digitalocean.com/reference/api/digitalocean/#tag/Firewalls',
  'https://docs.digitalocean.com/reference/api/digitalocean/#tag/Firewalls/operation/firewalls_add_rules',
  'https://docs.digitalocean.com/reference/api/digitalocean/#tag/Firewalls/operation/firewalls_delete_rules',
  'https://docs.digitalocean.com/products/networking/firewalls/details/limits/',
  'https://docs.digitalocean.com/notes/2023/api-rate-limit',
];
export const DEFAULT_API_URL = 'https://api.digitalocean.com/v2';
/** Everyone, as a Cloud Firewall source. */
export const EVERYONE = ['0.0.0.0/0', '::/0'] as const;

export type DoProtocol = 'tcp' | 'udp' | 'icmp';
export interface DoInboundRule {
  protocol: DoProtocol;
  ports: string;
  sources: { addresses?: string[]; droplet_ids?: number[]; load_balancer_uids?: string[]; kubernetes_ids?: string[]; tags?: string[] };
}
export interface DoFirewall {
  id: string;
  name: string;
  /** "waiting" while Droplets are being updated, then "succeeded" (or "failed"). */
  status: string;
  inbound_rules: DoInboundRule[];
  pending_changes: { droplet_id: number; removing: boolean; status: string }[];
  created_at: string;
}
export interface PublicRule { protocol: DoProtocol; ports: string }

export interface DoRequest { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }

export const getFirewall = (id: string): DoRequest => ({ method: 'GET', path: `/firewalls/${encodeURIComponent(id)}` });
export const addRules = (id: string, inbound_rules: DoInboundRule[]): DoRequest => ({ method: 'POST', path: `/firewalls/${encodeURIComponent(id)}/rules`, body: { inbound_rules } });
export const removeRules = (id: string, inbound_rules: DoInboundRule[]): DoRequest => ({ method: 'DELETE', path: `/firewalls/${encodeURIComponent(id)}/rules`, body: { inbound_rules } });

/** DigitalOcean reads "0" and "all" alike; ICMP rules always read back as "0". */
export const normPorts = (protocol: string, ports: string | undefined): string => (protocol === 'icmp' || !ports || ports === 'all' ? '0' : ports);

export const broadRule = (r: PublicRule): DoInboundRule => ({ protocol: r.protocol, ports: normPorts(r.protocol, r.ports), sources: { addresses: [...EVERYONE] } });
export const narrowRule = (r: PublicRule, allowed: readonly string[]): DoInboundRule => ({ protocol: r.protocol, ports: normPorts(r.protocol, r.ports), sources: { addresses: [...allowed] } });

const sameSet = (a: readonly string[] | undefined, b: readonly string[]): boolean => {
  const x = new Set((a ?? []).map((s) => s.toLowerCase()));
  return x.size === new Set(b.map((s) => s.toLowerCase())).size && b.every((s) => x.has(s.toLowerCase()));
};

/** Whether the firewall holds exactly this rule (protocol, ports, and only these source addresses). */
export function hasRule(fw: DoFirewall, want: DoInboundRule): boolean {
  return fw.inbound_rules.some((r) => r.protocol === want.protocol && normPorts(r.protocol, r.ports) === want.ports
    && sameSet(r.sources?.addresses, want.sources.addresses ?? [])
    && !(r.sources?.droplet_ids?.length || r.sources?.tags?.length || r.sources?.load_balancer_uids?.length || r.sources?.kubernetes_ids?.length));
}

/**
 * A rule on the firewall for this public rule's protocol and ports that admits some of the world
 * (0.0.0.0/0 or ::/0) but is not exactly the broad rule public_rules describes — e.g. IPv4 only.
 * Narrowing around it could not restore it as it was, so the provider refuses to touch it.
 */
export function looseWorldRule(fw: DoFirewall, r: PublicRule): DoInboundRule | null {
  const want = broadRule(r);
  return fw.inbound_rules.find((x) => x.protocol === want.protocol && normPorts(x.protocol, x.ports) === want.ports
    && (x.sources?.addresses ?? []).some((a) => (EVERYONE as readonly string[]).includes(a)) && !hasRule({ ...fw, inbound_rules: [x] }, want)) ?? null;
}

/** The firewall object of a GET reply, or null when the reply has none. */
export function parseFirewall(json: unknown): DoFirewall | null {
  const fw = (json as { firewall?: Partial<DoFirewall> } | null)?.firewall;
  if (!fw || typeof fw !== 'object' || typeof fw.id !== 'string') return null;
  return {
    id: fw.id,
    name: typeof fw.name === 'string' ? fw.name : '',
    status: typeof fw.status === 'string' ? fw.status : 'succeeded',
    inbound_rules: Array.isArray(fw.inbound_rules) ? fw.inbound_rules : [],
    pending_changes: Array.isArray(fw.pending_changes) ? fw.pending_changes : [],
    created_at: typeof fw.created_at === 'string' ? fw.created_at : '',
  };
}

/** DigitalOcean's error envelope: {id: "unauthorized", message: "Unable to authenticate you"}. */
export function errorOf(json: unknown): { id: string; message: string } | null {
  const o = json as { id?: unknown; message?: unknown } | null;
  return o && typeof o.id === 'string' ? { id: o.id, message: typeof o.message === 'string' ? o.message : '' } : null;
}
