// The packet detail of several ticks added together (a window, or a whole incident), scaled from
// decoded packets to estimated real traffic so that ticks with different sample rates or capture
// drops add up correctly. Heavy-hitter maps are pruned so an hour-long incident stays bounded.
import type { Counter, TcpFlagCounts, TickStats } from '@breakwater/contracts';
import { detailScale } from './sanitize-tick.ts';

export interface TrafficDetail {
  /** Estimated real packets / bytes the detail stands for. */
  packets: number;
  bytes: number;
  tcp: Counter;
  udp: Counter;
  icmp: Counter;
  gre: Counter;
  other: Counter;
  ipv6: Counter;
  fragments: Counter;
  tcpFlags: TcpFlagCounts;
  sizeHistogram: number[];
  ttlHistogram: number[];
  sources: Map<string, Counter>;
  dstPorts: Map<number, Counter>;
  srcPorts: Map<number, Counter>;
  /** Largest per-tick distinct-source estimate: estimates of different ticks cannot be unioned. */
  distinctSourcesMax: number;
  /** Sums over ticks of distinct sources and of decoded packets (unscaled): their ratio says how
   * often a packet comes from a source not seen before within a tick. */
  distinctSourcesSum: number;
  decodedPacketsSum: number;
  countries: Map<string, number>;
  iocMatches: Map<string, number>;
  decodeErrors: number;
  ticks: number;
}

const MAP_CAP = 4096;

export function emptyDetail(): TrafficDetail {
  const c = () => ({ packets: 0, bytes: 0 });
  return {
    packets: 0,
    bytes: 0,
    tcp: c(),
    udp: c(),
    icmp: c(),
    gre: c(),
    other: c(),
    ipv6: c(),
    fragments: c(),
    tcpFlags: { syn: 0, synAck: 0, ack: 0, rst: 0, fin: 0, psh: 0, urg: 0, xmas: 0, null: 0 },
    sizeHistogram: new Array<number>(7).fill(0),
    ttlHistogram: new Array<number>(256).fill(0),
    sources: new Map(),
    dstPorts: new Map(),
    srcPorts: new Map(),
    distinctSourcesMax: 0,
    distinctSourcesSum: 0,
    decodedPacketsSum: 0,
    countries: new Map(),
    iocMatches: new Map(),
    decodeErrors: 0,
    ticks: 0,
  };
}

const addCounter = (into: Counter, from: Counter, k: number) => {
  into.packets += from.packets * k;
  into.bytes += from.bytes * k;
};

function prune<K>(map: Map<K, Counter>): void {
  if (map.size <= MAP_CAP) return;
  const keep = [...map.entries()].sort((a, b) => b[1].packets - a[1].packets).slice(0, MAP_CAP / 2);
  map.clear();
  for (const [k, v] of keep) map.set(k, v);
}

function addHitters<K>(map: Map<K, Counter>, list: { key: K; packets: number; bytes: number }[], k: number): void {
  for (const h of list) {
    const cur = map.get(h.key);
    if (cur) addCounter(cur, h, k);
    else map.set(h.key, { packets: h.packets * k, bytes: h.bytes * k });
  }
  prune(map);
}

function addCounts(map: Map<string, number>, rec: Record<string, number>, k: number): void {
  for (const [key, v] of Object.entries(rec)) map.set(key, (map.get(key) ?? 0) + v * k);
  if (map.size > MAP_CAP) {
    const keep = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAP_CAP / 2);
    map.clear();
    for (const [key, v] of keep) map.set(key, v);
  }
}

/** Adds `weight` (0..1, the part of the tick inside the window) of a sanitized tick. */
export function addTick(d: TrafficDetail, t: TickStats, weight = 1): void {
  const k = detailScale(t) * weight;
  d.packets += t.decoded.packets * k;
  d.bytes += t.decoded.bytes * k;
  addCounter(d.tcp, t.byProtocol.tcp, k);
  addCounter(d.udp, t.byProtocol.udp, k);
  addCounter(d.icmp, t.byProtocol.icmp, k);
  addCounter(d.gre, t.byProtocol.gre, k);
  addCounter(d.other, t.byProtocol.other, k);
  addCounter(d.ipv6, t.ipv6, k);
  addCounter(d.fragments, t.fragments, k);
  for (const f of Object.keys(d.tcpFlags) as (keyof TcpFlagCounts)[]) d.tcpFlags[f] += t.tcpFlags[f] * k;
  t.sizeHistogram.forEach((v, i) => (d.sizeHistogram[i] = (d.sizeHistogram[i] ?? 0) + v * k));
  t.ttlHistogram.forEach((v, i) => (d.ttlHistogram[i] = (d.ttlHistogram[i] ?? 0) + v * k));
  addHitters(d.sources, t.topSources, k);
  addHitters(d.dstPorts, t.topDstPorts, k);
  addHitters(d.srcPorts, t.topSrcPorts, k);
  d.distinctSourcesMax = Math.max(d.distinctSourcesMax, t.distinctSources);
  d.distinctSourcesSum += t.distinctSources * weight;
  d.decodedPacketsSum += t.decoded.packets * weight;
  addCounts(d.countries, t.countries, k);
  addCounts(d.iocMatches, t.iocMatches, k);
  d.decodeErrors += t.decodeErrors * weight;
  d.ticks += 1;
}

export function top<K>(map: Map<K, Counter>, n: number): { key: K; packets: number; bytes: number }[] {
  return [...map.entries()]
    .sort((a, b) => b[1].packets - a[1].packets)
    .slice(0, n)
    .map(([key, c]) => ({ key, packets: c.packets, bytes: c.bytes }));
}
