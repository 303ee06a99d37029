// An engine incident as the report shows it, the mitigation recommended for it, and the capture-wide
// spoofing and botnet verdicts drawn from all incidents.
import { recommendMitigation, toAgentIncident, type Incident } from '@breakwater/detection';
import type { IncidentReport, Recommendation, Verdict } from '@breakwater/contracts';

const iso = (ms: number) => new Date(ms).toISOString();

/** `lastMs`: the capture's last packet; an incident still running then ends there, flagged ongoing. */
export function incidentReport(inc: Incident, target: string, ongoing: boolean, lastMs: number): IncidentReport {
  const a = toAgentIncident(inc);
  const end = ongoing ? Math.max(inc.startedAt, lastMs) : Math.max(inc.startedAt, Math.min(inc.endedAt ?? lastMs, Math.max(lastMs, inc.startedAt)));
  const c = inc.classification;
  return {
    target,
    attack_family: a.attack_family,
    attack_subtype: a.attack_subtype,
    severity: a.severity,
    confidence: a.confidence,
    peak_pps: a.peak_pps,
    peak_bps: a.peak_bps,
    started_at: iso(inc.startedAt),
    ended_at: iso(end),
    duration_s: Math.round((end - inc.startedAt) / 100) / 10,
    ongoing_at_end: ongoing,
    threshold: a.threshold,
    thresholds_fired: a.thresholds_fired,
    explanation: a.explanation,
    vectors: c.vectors.map((v) => ({
      id: v.id,
      family: v.family,
      subtype: v.subtype,
      packet_share: Math.round(v.packetShare * 1000) / 1000,
      byte_share: Math.round(v.byteShare * 1000) / 1000,
      rule: v.rule,
    })),
    top_src_ips: a.top_src_ips,
    top_dst_ports: a.top_dst_ports,
    top_src_ports: inc.traffic.topSrcPorts.map((p) => ({ ...p })),
    protocol_breakdown: a.protocol_breakdown,
    tcp_flag_breakdown: a.tcp_flag_breakdown,
    geo_breakdown: a.geo_breakdown,
    source_ip_count: a.source_ip_count,
    spoofing_detected: a.spoofing_detected,
    spoofing_reasons: [...c.spoofing.reasons],
    botnet_detected: a.botnet_detected,
    botnet_signatures: a.botnet_signatures,
    botnet_reasons: [...c.botnet.reasons],
    ioc_matches: a.ioc_matches,
    total_packets: a.total_packets,
    fragment_count: a.fragment_count,
    fragment_pct: a.fragment_pct,
    ttl_distribution: a.ttl_distribution,
    pkt_length_histogram: a.pkt_length_histogram,
    src_ip_entropy: a.src_ip_entropy,
  };
}

/** The detection package's recommendation, as `kind`-tagged entries for one incident of the report. */
export function recommendationsFor(inc: Incident, index: number, target: string, linkBps: number | undefined): Recommendation[] {
  // A prefix target has no single host to blackhole or filter: leave the destination open.
  const host = target.includes('/') ? undefined : target;
  const r = recommendMitigation(inc, { ...(host !== undefined ? { target: host } : {}), ...(linkBps !== undefined ? { linkBps } : {}) });
  const about = { incident: index, target };
  return [
    ...r.flowspec.map((f) => ({ kind: 'flowspec' as const, ...about, ...f })),
    ...(r.blackhole !== undefined ? [{ kind: 'blackhole' as const, ...about, ...r.blackhole }] : []),
    ...r.firewall.map((f) => ({ kind: 'firewall' as const, ...about, ...f })),
    ...r.notes.map((reason) => ({ kind: 'note' as const, ...about, reason })),
  ];
}

export function spoofingVerdict(incidents: IncidentReport[]): Verdict {
  if (incidents.length === 0) return { verdict: 'not_assessed', why: 'no incident: the spoofing heuristics (TTL entropy, many sources with one TTL cluster) judge attack traffic only' };
  const hit = incidents.filter((i) => i.spoofing_detected);
  if (hit.length > 0) {
    return { verdict: 'detected', why: hit.map((i) => `${i.target} ${i.attack_subtype}: ${i.spoofing_reasons.join('; ')}`).join(' | ') };
  }
  return {
    verdict: 'not_detected',
    why: `no incident shows forged sources: TTLs form a few clusters (real paths) and sources are not random (${incidents
      .map((i) => `${i.target} ${i.attack_subtype}: ${i.source_ip_count} sources, src-IP entropy ${i.src_ip_entropy} bits`)
      .join('; ')})`,
  };
}

export function botnetVerdict(incidents: IncidentReport[]): Verdict & { signatures: string[] } {
  if (incidents.length === 0) return { verdict: 'not_assessed', why: 'no incident: botnet signatures are matched against attack traffic only', signatures: [] };
  const hit = incidents.filter((i) => i.botnet_detected);
  const signatures = [...new Set(hit.flatMap((i) => i.botnet_signatures))];
  if (hit.length > 0) {
    return { verdict: 'detected', why: hit.map((i) => `${i.target} ${i.attack_subtype}: ${i.botnet_reasons.join('; ')}`).join(' | '), signatures };
  }
  return {
    verdict: 'not_detected',
    why: 'no IOC payload match, no botnet port signature (Mirai VSE/GRE/telnet scan), and no direct flood from ≥ 500 real sources on many paths',
    signatures,
  };
}
