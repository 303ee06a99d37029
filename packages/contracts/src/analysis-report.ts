// The analysis report packages/analysis computes: plain JSON (snake_case keys, ISO-8601 times), the
// `report` of GET /api/v1/pcaps/{id}/analysis and what `breakwater analyze --json` prints.
import type { AgentIncident } from './agent.ts';
import type { Recommendation } from './recommendation.ts';
import type { AttackFamily } from './traffic.ts';

export const REPORT_VERSION = 1;

export interface ReportError {
  /** A CaptureError code (`truncated`, `bad-magic`, …) or `unreadable` for an I/O error. */
  code: string;
  /** Names the problem and the byte offset. */
  message: string;
  /** Byte of the capture where reading stopped. */
  offset: number;
}

export interface FileSummary {
  name: string | null;
  format: 'pcap' | 'pcapng' | 'unknown';
  linktype: number;
  snaplen: number;
  packets: number;
  /** Bytes on the wire (original lengths), not the file size. */
  bytes: number;
  first_ts: string | null;
  last_ts: string | null;
  duration_s: number;
  /** Packets the decoders could not parse (counted, not fatal). */
  decode_errors: number;
}

export interface TargetInfo {
  target: string;
  /** `explicit` (given by the caller) or `auto` (chosen by the rule in `analysis.target_rule`). */
  chosen: 'explicit' | 'auto';
  packets: number;
  bytes: number;
  /** Auto targets: the largest share of one second's traffic it received. */
  peak_second_share?: number;
}

export interface AnalysisSettings {
  tick_ms: number;
  window_ms: number;
  /** Static thresholds in force (0 = disabled). */
  thresholds: Record<string, number>;
  target_rule: string;
  targets: TargetInfo[];
  targets_skipped: { target: string; reason: string }[];
  geo: { source: string; note: string | null };
}

export interface VectorReport {
  id: string;
  family: AttackFamily;
  subtype: string;
  packet_share: number;
  byte_share: number;
  rule: string;
}

/** The agent API's view of the incident (AgentIncident) with ISO times, and what only a forensic report shows. */
export type IncidentReport = Pick<
  AgentIncident,
  | 'attack_family' | 'attack_subtype' | 'severity' | 'confidence' | 'peak_pps' | 'peak_bps' | 'threshold' | 'thresholds_fired'
  | 'explanation' | 'top_src_ips' | 'top_dst_ports' | 'protocol_breakdown' | 'tcp_flag_breakdown' | 'geo_breakdown'
  | 'source_ip_count' | 'spoofing_detected' | 'botnet_detected' | 'botnet_signatures' | 'ioc_matches' | 'total_packets'
  | 'fragment_count' | 'fragment_pct' | 'ttl_distribution' | 'pkt_length_histogram' | 'src_ip_entropy'
> & {
  target: string;
  started_at: string;
  ended_at: string;
  duration_s: number;
  /** The attack was still above the resolve level when the capture ended: its end is not in the file. */
  ongoing_at_end: boolean;
  vectors: VectorReport[];
  top_src_ports: { port: number; count: number }[];
  spoofing_reasons: string[];
  botnet_reasons: string[];
};

export interface TimelinePoint {
  /** Start of the bucket. */
  ts: string;
  pps: number;
  bps: number;
  tcp_pct: number;
  udp_pct: number;
  icmp_pct: number;
  other_pct: number;
  syn_pps: number;
  fragment_pps: number;
  /** Largest distinct-source estimate of a 100 ms tick in the bucket. */
  distinct_sources: number;
  /** Some incident was active during the bucket. */
  attack: boolean;
}

export interface Verdict {
  verdict: 'detected' | 'not_detected' | 'not_assessed';
  why: string;
}

export interface AnalysisReport {
  report_version: number;
  /** False when reading stopped early (see `error`): everything below covers only what was read. */
  complete: boolean;
  error: ReportError | null;
  file: FileSummary;
  analysis: AnalysisSettings;
  incidents: IncidentReport[];
  /** Seconds per timeline bucket (1, more for long captures: at most 3600 buckets). */
  timeline_step_s: number;
  timeline: TimelinePoint[];
  /** Whole capture; summed from per-tick heavy hitters, so counts are lower bounds. */
  top_src_ips: { ip: string; packets: number; bytes: number }[];
  top_dst_ports: { port: number; packets: number; bytes: number }[];
  top_src_ports: { port: number; packets: number; bytes: number }[];
  countries: { country: string; packets: number; pct: number }[];
  spoofing: Verdict;
  botnet: Verdict & { signatures: string[] };
  recommendations: Recommendation[];
}
