// Synthetic TickStats for tests: describe the traffic of a second as rates and shares, get the
// ticks a decoder would have produced. Deterministic, so a failing test fails the same way twice.
import type { HeavyHitter, TcpFlagCounts, TickStats } from '@breakwater/contracts';

export interface Mix {
  pps: number;
  /** Average packet size, bytes. */
  size?: number;
  /** Shares of packets per protocol; what is left is UDP unless `udp` is given. */
  tcp?: number;
  udp?: number;
  icmp?: number;
  gre?: number;
  other?: number;
  /** Shares of TCP packets per flag class. */
  flags?: Partial<TcpFlagCounts>;
  /** Shares of all packets by source / destination port. */
  srcPorts?: Record<number, number>;
  dstPorts?: Record<number, number>;
  /** Share of packets that are fragments. */
  fragments?: number;
  /** Distinct sources per tick and how many heavy hitters to list (evenly loaded). */
  sources?: number;
  listedSources?: number;
  /** TTL values the packets are spread over evenly; 'random' = all 256. */
  ttls?: number[] | 'random';
  iocs?: Record<string, number>;
  countries?: Record<string, number>;
  /** 1 in N decoded. */
  sampleRate?: number;
}

const shareCounts = (rec: Record<number, number> | undefined, packets: number, size: number): HeavyHitter<number>[] =>
  Object.entries(rec ?? {}).map(([k, s]) => ({ key: Number(k), packets: Math.round(packets * s), bytes: Math.round(packets * s * size) }));

export function makeTick(ts: number, mix: Mix, durationMs = 100): TickStats {
  const size = mix.size ?? 500;
  const totalPackets = Math.round((mix.pps * durationMs) / 1000);
  const rate = mix.sampleRate ?? 1;
  const p = Math.round(totalPackets / rate);
  const proto = (share: number | undefined) => ({ packets: Math.round(p * (share ?? 0)), bytes: Math.round(p * (share ?? 0) * size) });
  const tcpShare = mix.tcp ?? 0;
  const udpShare = mix.udp ?? Math.max(0, 1 - tcpShare - (mix.icmp ?? 0) - (mix.gre ?? 0) - (mix.other ?? 0));
  const tcp = proto(tcpShare);
  const f = mix.flags ?? {};
  const flag = (k: keyof TcpFlagCounts) => Math.round(tcp.packets * (f[k] ?? 0));
  const ttl = new Array<number>(256).fill(0);
  const ttls = mix.ttls === 'random' ? [...Array(256).keys()] : (mix.ttls ?? [52, 57, 116]);
  for (const t of ttls) ttl[t] = (ttl[t] ?? 0) + p / ttls.length;
  const sources = Math.min(mix.sources ?? 20, Math.max(1, p));
  const listed = Math.min(mix.listedSources ?? 10, sources);
  const perSource = p / sources;
  const topSources = Array.from({ length: listed }, (_, i) => ({
    key: `198.51.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    packets: Math.round(perSource),
    bytes: Math.round(perSource * size),
  }));
  const scaled = (rec: Record<string, number> | undefined) =>
    Object.fromEntries(Object.entries(rec ?? {}).map(([k, s]) => [k, Math.round(p * s)]));
  const sizeHistogram = new Array<number>(7).fill(0);
  const bucket = [64, 128, 256, 512, 1024, 1500].findIndex((b) => size <= b);
  sizeHistogram[bucket === -1 ? 6 : bucket] = p;
  return {
    ts,
    durationMs,
    total: { packets: totalPackets, bytes: totalPackets * size },
    sampleRate: rate,
    decoded: { packets: p, bytes: p * size },
    byProtocol: { tcp, udp: proto(udpShare), icmp: proto(mix.icmp), gre: proto(mix.gre), other: proto(mix.other) },
    ipv6: { packets: 0, bytes: 0 },
    tcpFlags: {
      syn: flag('syn'),
      synAck: flag('synAck'),
      ack: flag('ack'),
      rst: flag('rst'),
      fin: flag('fin'),
      psh: flag('psh'),
      urg: flag('urg'),
      xmas: flag('xmas'),
      null: flag('null'),
    },
    fragments: proto(mix.fragments),
    sizeHistogram,
    ttlHistogram: ttl.map(Math.round),
    topSources,
    topDstPorts: shareCounts(mix.dstPorts, p, size),
    topSrcPorts: shareCounts(mix.srcPorts, p, size),
    distinctSources: sources,
    countries: scaled(mix.countries ?? { US: 0.6, DE: 0.4 }),
    iocMatches: scaled(mix.iocs),
    decodeErrors: 0,
  };
}

/** `seconds` of ticks starting at `start`, `durationMs` each. */
export function makeTicks(start: number, seconds: number, mix: Mix, durationMs = 100): TickStats[] {
  const n = Math.round((seconds * 1000) / durationMs);
  return Array.from({ length: n }, (_, i) => makeTick(start + i * durationMs, mix, durationMs));
}

/** Ordinary web-server traffic: mostly established TCP to 443, a little DNS and ICMP. */
export const NORMAL_WEB: Mix = {
  pps: 2000,
  size: 700,
  tcp: 0.9,
  udp: 0.08,
  icmp: 0.02,
  flags: { ack: 0.55, psh: 0.35, syn: 0.04, synAck: 0.01, fin: 0.03, rst: 0.02 },
  dstPorts: { 443: 0.7, 80: 0.15 },
  srcPorts: { 53: 0.03 },
  sources: 300,
};
