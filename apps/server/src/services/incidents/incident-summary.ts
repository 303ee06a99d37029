import { fromJson, type IncidentWithNode } from '@breakwater/db';

const FAMILY: Record<string, string> = {
  udp_flood: 'UDP flood', syn_flood: 'SYN flood', http_flood: 'HTTP flood', icmp_flood: 'ICMP flood',
  dns_flood: 'DNS flood', multi_vector: 'Multi-vector attack', unknown: 'Attack of unknown type',
};

function si(n: number, unit: string): string {
  const steps: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, p] of steps) if (n >= v) return `${(n / v).toFixed(1)} ${p}${unit}`;
  return `${Math.round(n)} ${unit}`;
}

/** A plain-language summary built from the stored facts (deterministic; no model involved). */
export function incidentSummary(i: IncidentWithNode): string {
  const what = FAMILY[i.attack_family] ?? i.attack_family.replace(/_/g, ' ');
  const parts = [`${what}${i.attack_subtype ? ` (${i.attack_subtype.replace(/_/g, ' ')})` : ''} against ${i.node_name}`];
  parts.push(`peaking at ${si(i.peak_pps, 'pps')} and ${si(i.peak_bps, 'bps')}`);
  if (i.source_ip_count) parts.push(`from about ${i.source_ip_count} source addresses${i.spoofing_detected ? ', likely spoofed' : ''}`);
  const ports = fromJson<{ port: number }[]>(i.top_dst_ports, []);
  if (ports[0]) parts.push(`aimed mostly at port ${ports[0].port}`);
  if (i.botnet_detected) parts.push('matching known botnet signatures');
  const state = i.status === 'active' ? 'Still active.' : `Lasted ${i.duration_seconds ?? 0} s.`;
  return `${parts.join(', ')}. Severity ${i.severity}. ${state}`;
}
