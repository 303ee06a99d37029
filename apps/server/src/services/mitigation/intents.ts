// What each tier action means for one incident: the FlowSpec match that singles the attack
// out, the blackhole of the target, the scrubbing diversion, or the firewall commands the
// node's agent applies. Pure: stored incident and node in, rule specs out.
import { amplificationServiceOf, canonicalPrefix, IP_PROTOCOLS as PROTO, type EscalationPolicy, type FirewallIntent, type FlowspecAction, type FlowspecMatch, type RuleSpec } from '@breakwater/contracts';
import { fromJson, type IncidentRow, type NodeRow } from '@breakwater/db';

/** The source port of the reflector service the subtype names (contracts' one table), if any. */
export function amplificationPort(subtype: string | null): number | null {
  return amplificationServiceOf(subtype)?.port ?? null;
}

function dominantPort(incident: IncidentRow): number | null {
  const ports = fromJson<{ port: number; count?: number; pct?: number }[]>(incident.top_dst_ports, []);
  const first = ports[0];
  if (!first || !Number.isInteger(first.port) || first.port < 1 || first.port > 65535) return null;
  const total = ports.reduce((a, p) => a + (p.count ?? 0), 0);
  if (first.pct !== undefined) return first.pct >= 50 ? first.port : null;
  return total > 0 && (first.count ?? 0) / total >= 0.5 ? first.port : null;
}

export function hostPrefix(ip: string): string | null {
  return canonicalPrefix(ip);
}

/** The FlowSpec rule for the incident: narrow when the vector is clear, the protocol otherwise. */
export function flowspecFor(incident: IncidentRow, node: NodeRow): { match: FlowspecMatch; action: FlowspecAction } | null {
  const destination = hostPrefix(node.ip);
  if (!destination) return null;
  const v6 = destination.includes(':');
  const family = incident.attack_family;
  const subtype = incident.attack_subtype;
  const discard = { type: 'discard' } as const;
  const amp = amplificationPort(subtype);
  if (amp !== null) return { match: { destination, protocols: [PROTO.udp], source_ports: [{ from: amp, to: amp }] }, action: discard };
  if (subtype && /fragment/.test(subtype)) return { match: { destination, fragment: ['is-fragment'] }, action: discard };
  switch (family) {
    case 'syn_flood': return { match: { destination, protocols: [PROTO.tcp], tcp_flags: ['syn'] }, action: discard };
    case 'icmp_flood': return { match: { destination, protocols: [v6 ? PROTO.icmpv6 : PROTO.icmp] }, action: discard };
    // Never for L7: at L3/L4 an HTTP flood's packets are the site's real traffic (flowspecRefusal says why).
    case 'http_flood': return null;
    case 'dns_flood': return { match: { destination, protocols: [PROTO.udp], destination_ports: [{ from: 53, to: 53 }] }, action: { type: 'rate-limit', bytes_per_second: 1_250_000 } };
    case 'udp_flood': {
      const port = dominantPort(incident);
      return { match: { destination, protocols: [PROTO.udp], ...(port ? { destination_ports: [{ from: port, to: port }] } : {}) }, action: discard };
    }
    default: return { match: { destination }, action: discard };
  }
}

/** Why no FlowSpec rule is made for this incident, when that is a policy and not a missing address. */
export function flowspecRefusal(incident: IncidentRow): string | null {
  if (incident.attack_family !== 'http_flood') return null;
  return 'http_flood is a layer-7 attack: FlowSpec cannot tell its packets from real visitors; use the firewall tier (per-source rate limit on the node), a runbook step or WAF/UAM';
}

export function specFor(action: 'flowspec' | 'blackhole' | 'scrubbing', incident: IncidentRow, node: NodeRow, policy: EscalationPolicy): RuleSpec | null {
  const prefix = hostPrefix(node.ip);
  if (!prefix) return null;
  switch (action) {
    case 'blackhole': return { kind: 'blackhole', prefix, next_hop: null, communities: [...policy.blackhole_communities] };
    case 'scrubbing': return { kind: 'scrubbing', prefix };
    case 'flowspec': {
      const f = flowspecFor(incident, node);
      return f ? { kind: 'flowspec', ...f } : null;
    }
  }
}

/**
 * Local firewall commands for the node: rate limits by vector, and blocks of the top sources
 * unless the sources are spoofed (blocking forged addresses only hurts the hosts they belong to).
 */
export function firewallFor(incident: IncidentRow, node: NodeRow, allowed: (ip: string) => boolean, maxSources = 10): FirewallIntent[] {
  const out: FirewallIntent[] = [];
  const family = incident.attack_family;
  const threshold = node.pps_threshold ?? node.baseline_p99_pps ?? 10_000;
  const limit = Math.max(100, Math.round(threshold / 2));
  if (family === 'syn_flood') out.push({ type: 'syn_protection', params: { pps: limit }, target: node.ip });
  else if (family === 'icmp_flood') out.push({ type: 'rate_limit', params: { protocol: 'icmp', port: 0, pps: Math.min(limit, 1000) }, target: node.ip });
  else if (family === 'udp_flood' || family === 'dns_flood') {
    const port = family === 'dns_flood' ? 53 : dominantPort(incident) ?? 0;
    out.push({ type: 'rate_limit', params: { protocol: 'udp', port, pps: limit }, target: node.ip });
  } else if (family === 'http_flood') {
    // Per source (an nftables meter): one address may not take the site, every other visitor still gets through.
    const port = dominantPort(incident) ?? 80;
    out.push({ type: 'rate_limit', params: { protocol: 'tcp', port, pps: Math.max(50, Math.round(limit / 10)), per_source: true }, target: node.ip });
  }
  if (!incident.spoofing_detected) {
    const sources = fromJson<{ ip: string }[]>(incident.top_src_ips, []);
    for (const s of sources.slice(0, maxSources)) {
      const p = typeof s?.ip === 'string' ? canonicalPrefix(s.ip) : null;
      if (!p || !allowed(s.ip)) continue;
      out.push({ type: 'block_source', params: { address: s.ip }, target: p });
    }
  }
  return out;
}

/** Top sources from the locked-down countries (geo lockdown), as host prefixes. */
export function geoSources(incident: IncidentRow, countries: readonly string[]): string[] {
  const set = new Set(countries);
  return fromJson<{ ip: string; country?: string | null }[]>(incident.top_src_ips, [])
    .filter((s) => typeof s?.ip === 'string' && typeof s.country === 'string' && set.has(s.country))
    .map((s) => s.ip);
}
