// The boundary between traffic sources (packet decoder, flow collector, kernel counters)
// and the pure detection engine. One TickStats is what one source saw in one tick
// (normally 100 ms); any window is the sum of its ticks.

export const ATTACK_FAMILIES = [
  'udp_flood',
  'syn_flood',
  'http_flood',
  'icmp_flood',
  'dns_flood',
  'multi_vector',
  'unknown',
] as const;
export type AttackFamily = (typeof ATTACK_FAMILIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Counter {
  packets: number;
  bytes: number;
}

export interface TcpFlagCounts {
  syn: number; // SYN without ACK
  synAck: number;
  ack: number; // ACK only (no SYN/RST/FIN/PSH)
  rst: number;
  fin: number;
  psh: number;
  urg: number;
  xmas: number; // FIN+PSH+URG
  null: number; // no flag at all
}

export interface HeavyHitter<K> {
  key: K;
  packets: number;
  bytes: number;
}

export interface TickStats {
  /** Tick start, ms since the Unix epoch (from the injected clock or the capture's timestamps). */
  ts: number;
  durationMs: number;
  /** Exact totals for the tick (kernel counters, or every packet when nothing was sampled). */
  total: Counter;
  /** Detail below comes from decoded packets; `sampleRate` N means 1 in N packets were decoded. */
  sampleRate: number;
  decoded: Counter;
  byProtocol: { tcp: Counter; udp: Counter; icmp: Counter; gre: Counter; other: Counter };
  ipv6: Counter;
  tcpFlags: TcpFlagCounts;
  fragments: Counter;
  /** Packet-size histogram, bucket upper bounds in bytes: 64,128,256,512,1024,1500,+inf. */
  sizeHistogram: number[];
  /** TTL / hop-limit histogram: 256 buckets. */
  ttlHistogram: number[];
  topSources: HeavyHitter<string>[];
  topDstPorts: HeavyHitter<number>[];
  topSrcPorts: HeavyHitter<number>[];
  /** Estimated number of distinct source addresses. */
  distinctSources: number;
  /** ISO country code (or "??") → packets. */
  countries: Record<string, number>;
  /** IOC pattern id → matching packets. */
  iocMatches: Record<string, number>;
  /** Packets the decoders could not parse. */
  decodeErrors: number;
}
