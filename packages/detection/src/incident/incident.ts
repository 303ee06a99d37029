// The incident as the engine reports it (camelCase, plain data). `toAgentIncident` turns it into
// the agent API's snake_case payload.
import type { AttackFamily, HttpIncidentDetails, Severity } from '@breakwater/contracts';
import type { Classification } from '../classify/classify.ts';
import type { ThresholdName } from '../thresholds/thresholds.ts';
import type { TrafficDetail } from '../window/traffic-detail.ts';
import { top } from '../window/traffic-detail.ts';
import { protocolTotal } from '../classify/vectors.ts';

export interface IncidentThreshold {
  name: ThresholdName;
  value: number;
  /** Largest window value seen for this metric while the incident lasted. */
  observed: number;
  source: 'static' | 'baseline';
}

export interface TrafficSummary {
  /** Percent of packets, 0..100. */
  protocolBreakdown: { tcp: number; udp: number; icmp: number };
  /** Estimated packets per flag class, keyed like the agent API ("SYN", "ACK", …). */
  tcpFlagBreakdown: Record<string, number>;
  /** ISO country → estimated packets. */
  geoBreakdown: Record<string, number>;
  /** Lower bound: the largest per-tick distinct-source estimate. */
  sourceIpCount: number;
  topSrcIps: { ip: string; count: number }[];
  topDstPorts: { port: number; count: number }[];
  topSrcPorts: { port: number; count: number }[];
  /** IOC pattern ids, most matches first, and their counts. */
  iocMatches: string[];
  iocHits: Record<string, number>;
  totalPackets: number;
  totalBytes: number;
  fragmentCount: number;
  fragmentPct: number;
  /** TTL value (as a string key) → packets, non-zero entries only. */
  ttlDistribution: Record<string, number>;
  /** Upper bound in bytes ("64", …, "1500", "inf") → packets. */
  packetLengthHistogram: Record<string, number>;
  srcIpEntropy: number;
}

export interface Incident {
  /** Engine-local id; the server assigns the public UUID. */
  id: string;
  target?: string;
  status: 'active' | 'resolved';
  attackFamily: AttackFamily;
  attackSubtype: string;
  severity: Severity;
  confidence: number;
  startedAt: number;
  /** When traffic fell below the resolve level for good; null while active. */
  endedAt: number | null;
  /** When the cooldown ran out and the incident was closed. */
  resolvedAt: number | null;
  peakPps: number;
  peakBps: number;
  /** Largest observed / threshold ratio: what severity is graded on. */
  peakRatio: number;
  /** The threshold that opened the incident, with the largest value observed since. */
  threshold: IncidentThreshold;
  thresholdsFired: IncidentThreshold[];
  baseline: { ready: boolean; ppsPercentile: number; bpsPercentile: number; ppsMean: number; source: string };
  spoofingDetected: boolean;
  botnetDetected: boolean;
  botnetSignatures: string[];
  explanation: string;
  classification: Classification;
  traffic: TrafficSummary;
  /** HTTP details of an http_flood opened from access logs (the HTTP side of the engine). */
  http?: HttpIncidentDetails;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const SIZE_BOUNDS = ['64', '128', '256', '512', '1024', '1500', 'inf'];
const FLAG_KEYS: [keyof TrafficDetail['tcpFlags'], string][] = [
  ['syn', 'SYN'],
  ['synAck', 'SYN-ACK'],
  ['ack', 'ACK'],
  ['psh', 'PSH'],
  ['rst', 'RST'],
  ['fin', 'FIN'],
  ['urg', 'URG'],
  ['xmas', 'XMAS'],
  ['null', 'NULL'],
];

export function summarizeTraffic(d: TrafficDetail, srcIpEntropy: number, topN: number): TrafficSummary {
  const total = protocolTotal(d);
  const share = (n: number) => (total > 0 ? round1((100 * n) / total) : 0);
  const nonZero = (entries: [string, number][]) =>
    Object.fromEntries(entries.filter(([, v]) => v > 0).map(([k, v]) => [k, Math.round(v)]));
  const iocs = [...d.iocMatches.entries()].sort((a, b) => b[1] - a[1]);
  return {
    protocolBreakdown: { tcp: share(d.tcp.packets), udp: share(d.udp.packets), icmp: share(d.icmp.packets) },
    tcpFlagBreakdown: nonZero(FLAG_KEYS.map(([k, name]) => [name, d.tcpFlags[k]])),
    geoBreakdown: nonZero([...d.countries.entries()].sort((a, b) => b[1] - a[1])),
    sourceIpCount: Math.round(d.distinctSourcesMax),
    topSrcIps: top(d.sources, topN).map((h) => ({ ip: h.key, count: Math.round(h.packets) })),
    topDstPorts: top(d.dstPorts, topN).map((h) => ({ port: h.key, count: Math.round(h.packets) })),
    topSrcPorts: top(d.srcPorts, topN).map((h) => ({ port: h.key, count: Math.round(h.packets) })),
    iocMatches: iocs.map(([id]) => id),
    iocHits: nonZero(iocs),
    totalPackets: Math.round(d.packets),
    totalBytes: Math.round(d.bytes),
    fragmentCount: Math.round(d.fragments.packets),
    fragmentPct: share(d.fragments.packets),
    ttlDistribution: nonZero(d.ttlHistogram.map((v, i) => [String(i), v])),
    packetLengthHistogram: nonZero(d.sizeHistogram.map((v, i) => [SIZE_BOUNDS[i] ?? String(i), v])),
    srcIpEntropy: round1(srcIpEntropy),
  };
}
