// Linode API v4 (Akamai), Cloud Firewalls: the requests this integration sends and how it reads
// the replies. Bearer token; JSON; errors as {errors: [{reason, field?}]}.
//   GET /v4/networking/firewalls/{firewallId}        -> {id, label, status: enabled|disabled|deleted, rules, …}
//   GET /v4/networking/firewalls/{firewallId}/rules  -> {inbound, inbound_policy, outbound, outbound_policy, fingerprint?, version?}
//   PUT /v4/networking/firewalls/{firewallId}/rules  -> replaces ALL inbound and outbound rules (and policies) with the body
// A rule is {action: ACCEPT|DROP, protocol: TCP|UDP|ICMP|IPENCAP, ports?: "22, 80" | "1-65535",
// addresses: {ipv4: [...], ipv6: [...]}, label?, description?}; the first matching rule wins and at
// most 25 rules fit across both directions. ports is optional for TCP/UDP (all ports) and refused for ICMP.
// Linode's DDoS protection is always on for every Linode and has no API switch: this integration
// can only narrow what the firewall admits while an attack lasts.
export const DOCS = [
  'https://techdocs.akamai.com/linode-api/reference/get-firewall-rules',
  'https://techdocs.akamai.com/linode-api/reference/put-firewall-rules',
  'https://techdocs.akamai.com/linode-api/reference/get-firewall',
  'https://techdocs.akamai.com/linode-api/reference/rate-limits',
  'https://www.linode.com/products/ddos/',
];
export const DEFAULT_API_URL = 'https://api.linode.com/v4';
export const MAX_RULES = 25;
/** Our rules carry this label prefix: how status and disable find them after a restart. */
export const LABEL_PREFIX = 'bw-scrub-';

export type LinodeProtocol = 'TCP' | 'UDP' | 'ICMP' | 'IPENCAP';
export interface LinodeRule {
  action: 'ACCEPT' | 'DROP';
  protocol: LinodeProtocol;
  ports?: string;
  addresses: { ipv4?: string[]; ipv6?: string[] };
  label?: string;
  description?: string;
}
export interface LinodeRules {
  inbound: LinodeRule[];
  inbound_policy: 'ACCEPT' | 'DROP';
  outbound: LinodeRule[];
  outbound_policy: 'ACCEPT' | 'DROP';
}
export interface PublicRule { protocol: 'TCP' | 'UDP' | 'ICMP'; ports?: string }

export interface LinodeRequest { method: 'GET' | 'PUT'; path: string; body?: unknown }

export const getFirewall = (id: number): LinodeRequest => ({ method: 'GET', path: `/networking/firewalls/${id}` });
export const getRules = (id: number): LinodeRequest => ({ method: 'GET', path: `/networking/firewalls/${id}/rules` });
export const putRules = (id: number, rules: LinodeRules): LinodeRequest => ({
  method: 'PUT', path: `/networking/firewalls/${id}/rules`,
  body: { inbound: rules.inbound, inbound_policy: rules.inbound_policy, outbound: rules.outbound, outbound_policy: rules.outbound_policy },
});

/** Linode wants addresses split by family, host addresses as /32 or /128; an empty family is left out. */
function splitFamilies(list: readonly string[]): LinodeRule['addresses'] {
  const ipv4 = list.filter((a) => !a.includes(':')).map((a) => (a.includes('/') ? a : `${a}/32`));
  const ipv6 = list.filter((a) => a.includes(':')).map((a) => (a.includes('/') ? a : `${a}/128`));
  return { ...(ipv4.length ? { ipv4 } : {}), ...(ipv6.length ? { ipv6 } : {}) };
}

/**
 * The rules placed first while diverting: per public rule, ACCEPT from the allowed sources (when
 * any) then DROP from everyone. Labels are 3–32 characters; ours are bw-scrub-<n>-accept/-drop.
 */
export function lockdownRules(publicRules: readonly PublicRule[], allowed: readonly string[], reason: string): LinodeRule[] {
  const out: LinodeRule[] = [];
  // Linode takes descriptions of at most 100 characters.
  const description = `Breakwater: ${reason.replace(/[\p{C}]/gu, ' ')}`.slice(0, 100);
  publicRules.forEach((r, i) => {
    const ports = r.protocol === 'ICMP' ? {} : r.ports ? { ports: r.ports } : {};
    if (allowed.length) out.push({ action: 'ACCEPT', protocol: r.protocol, ...ports, addresses: splitFamilies(allowed), label: `${LABEL_PREFIX}${i}-accept`, description });
    out.push({ action: 'DROP', protocol: r.protocol, ...ports, addresses: { ipv4: ['0.0.0.0/0'], ipv6: ['::/0'] }, label: `${LABEL_PREFIX}${i}-drop`, description });
  });
  return out;
}

export const isOurs = (r: LinodeRule): boolean => typeof r.label === 'string' && r.label.startsWith(LABEL_PREFIX);

export function parseRules(json: unknown): LinodeRules | null {
  const o = json as Partial<LinodeRules> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.inbound)) return null;
  return {
    inbound: o.inbound,
    inbound_policy: o.inbound_policy === 'DROP' ? 'DROP' : 'ACCEPT',
    outbound: Array.isArray(o.outbound) ? o.outbound : [],
    outbound_policy: o.outbound_policy === 'DROP' ? 'DROP' : 'ACCEPT',
  };
}

/** Linode's error envelope: {errors: [{reason: "Invalid Token"}]}. */
export function reasonOf(json: unknown): string | null {
  const e = (json as { errors?: { reason?: unknown; field?: unknown }[] } | null)?.errors;
  const first = Array.isArray(e) ? e[0] : undefined;
  if (!first || typeof first.reason !== 'string') return null;
  return typeof first.field === 'string' ? `${first.field}: ${first.reason}` : first.reason;
}
