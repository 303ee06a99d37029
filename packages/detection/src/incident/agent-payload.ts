// The incident in the agent API's shape (snake_case; reference agent-api.md "Report Incident" plus
// the extras agents in the field send, see reference/paths.md). Times are ms since the epoch.
import type { AttackFamily, Severity } from '@breakwater/contracts';
import type { Incident } from './incident.ts';

export interface AgentThreshold {
  name: string;
  value: number;
  observed: number;
  source: 'static' | 'baseline';
}

export interface AgentIncidentPayload {
  status: 'active' | 'resolved';
  attack_family: AttackFamily;
  attack_subtype: string;
  severity: Severity;
  confidence: number;
  peak_pps: number;
  peak_bps: number;
  started_at: number;
  ended_at: number | null;
  duration_seconds: number;
  protocol_breakdown: { tcp: number; udp: number; icmp: number };
  tcp_flag_breakdown: Record<string, number>;
  geo_breakdown: Record<string, number>;
  source_ip_count: number;
  top_src_ips: { ip: string; count: number }[];
  top_dst_ports: { port: number; count: number }[];
  ioc_matches: string[];
  ioc_hits: Record<string, number>;
  spoofing_detected: boolean;
  botnet_detected: boolean;
  botnet_signatures: string[];
  explanation: string;
  threshold: AgentThreshold;
  thresholds_fired: AgentThreshold[];
  baseline_pps: number;
  total_packets: number;
  fragment_count: number;
  fragment_pct: number;
  ttl_distribution: Record<string, number>;
  pkt_length_histogram: Record<string, number>;
  src_ip_entropy: number;
}

/** `now` stands in for the end of a still active incident when computing its duration. */
export function toAgentIncident(incident: Incident, now = incident.endedAt ?? incident.startedAt): AgentIncidentPayload {
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
  };
}
