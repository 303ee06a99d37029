// The incident in the agent API's shape (snake_case; reference agent-api.md "Report Incident" plus
// the extras agents in the field send, see reference/paths.md), declared in contracts as
// `AgentIncident`. Times are ms since the epoch.
import type { AgentIncident } from '@breakwater/contracts';
import type { Incident } from './incident.ts';

/** `now` stands in for the end of a still active incident when computing its duration. */
export function toAgentIncident(incident: Incident, now = incident.endedAt ?? incident.startedAt): AgentIncident {
  const t = incident.traffic;
  const end = incident.endedAt ?? now;
  return {
    status: incident.status,
    attack_family: incident.attackFamily,
    attack_subtype: incident.attackSubtype,
    severity: incident.severity,
    confidence: incident.confidence,
    peak_pps: Math.round(incident.peakPps),
    peak_bps: Math.round(incident.peakBps),
    started_at: incident.startedAt,
    ended_at: incident.endedAt,
    duration_seconds: Math.max(0, Math.round((end - incident.startedAt) / 1000)),
    protocol_breakdown: { ...t.protocolBreakdown },
    tcp_flag_breakdown: { ...t.tcpFlagBreakdown },
    geo_breakdown: { ...t.geoBreakdown },
    source_ip_count: t.sourceIpCount,
    top_src_ips: t.topSrcIps.map((s) => ({ ...s })),
    top_dst_ports: t.topDstPorts.map((p) => ({ ...p })),
    ioc_matches: [...t.iocMatches],
    ioc_hits: { ...t.iocHits },
    spoofing_detected: incident.spoofingDetected,
    botnet_detected: incident.botnetDetected,
    botnet_signatures: [...incident.botnetSignatures],
    explanation: incident.explanation,
    threshold: { ...incident.threshold, observed: Math.round(incident.threshold.observed) },
    thresholds_fired: incident.thresholdsFired.map((x) => ({ ...x, observed: Math.round(x.observed) })),
    baseline_pps: Math.round(incident.baseline.ppsMean),
    total_packets: t.totalPackets,
    fragment_count: t.fragmentCount,
    fragment_pct: t.fragmentPct,
    ttl_distribution: { ...t.ttlDistribution },
    pkt_length_histogram: { ...t.packetLengthHistogram },
    src_ip_entropy: t.srcIpEntropy,
    ...(incident.http ? { http: structuredClone(incident.http) } : {}),
  };
}
