// Whole-capture figures built from the all-traffic ticks: the per-second timeline, top talkers and
// ports (summed per-tick heavy hitters: lower bounds), and countries.
import type { TickStats, TimelinePoint } from '@breakwater/contracts';

const MAX_POINTS = 3600;
/** Keys kept in a summed top list before the smallest half is dropped. */
const MAX_KEYS = 50_000;

interface Bucket {
  packets: number;
  bytes: number;
  tcp: number;
  udp: number;
  icmp: number;
  decoded: number;
  syn: number;
  fragments: number;
  distinct: number;
}

class TopSum<K> {
  readonly #m = new Map<K, { packets: number; bytes: number }>();
  add(key: K, packets: number, bytes: number): void {
    const e = this.#m.get(key);
    if (e === undefined) this.#m.set(key, { packets, bytes });
    else {
      e.packets += packets;
      e.bytes += bytes;
    }
    if (this.#m.size > MAX_KEYS) {
      const sorted = [...this.#m.entries()].sort((a, b) => b[1].packets - a[1].packets);
      for (const [k] of sorted.slice(MAX_KEYS / 2)) this.#m.delete(k);
    }
  }
  top(n: number): [K, { packets: number; bytes: number }][] {
    return [...this.#m.entries()].sort((a, b) => b[1].packets - a[1].packets).slice(0, n);
  }
}

export class TrafficSummary {
  readonly #seconds = new Map<number, Bucket>();
  readonly sources = new TopSum<string>();
  readonly dstPorts = new TopSum<number>();
  readonly srcPorts = new TopSum<number>();
  readonly countries = new Map<string, number>();
  decodeErrors = 0;

  addTick(t: TickStats): void {
    const sec = Math.floor(t.ts / 1000);
    let b = this.#seconds.get(sec);
    if (b === undefined) {
      b = { packets: 0, bytes: 0, tcp: 0, udp: 0, icmp: 0, decoded: 0, syn: 0, fragments: 0, distinct: 0 };
      this.#seconds.set(sec, b);
    }
    b.packets += t.total.packets;
    b.bytes += t.total.bytes;
    b.tcp += t.byProtocol.tcp.packets;
    b.udp += t.byProtocol.udp.packets;
    b.icmp += t.byProtocol.icmp.packets;
    b.decoded += t.decoded.packets;
    b.syn += t.tcpFlags.syn;
    b.fragments += t.fragments.packets;
    b.distinct = Math.max(b.distinct, t.distinctSources);
    this.decodeErrors += t.decodeErrors;
    for (const s of t.topSources) this.sources.add(s.key, s.packets, s.bytes);
    for (const p of t.topDstPorts) this.dstPorts.add(p.key, p.packets, p.bytes);
    for (const p of t.topSrcPorts) this.srcPorts.add(p.key, p.packets, p.bytes);
    for (const [c, n] of Object.entries(t.countries)) this.countries.set(c, (this.countries.get(c) ?? 0) + n);
  }

  /** Buckets from the first to the last second with traffic, zeros included; `attackAt(ms)` marks incident time. */
  timeline(firstMs: number, lastMs: number, attackAt: (fromMs: number, toMs: number) => boolean): { step: number; points: TimelinePoint[] } {
    if (!Number.isFinite(firstMs) || !Number.isFinite(lastMs)) return { step: 1, points: [] };
    const first = Math.floor(firstMs / 1000);
    const last = Math.floor(lastMs / 1000);
    const span = last - first + 1;
    const step = Math.max(1, Math.ceil(span / MAX_POINTS));
    const points: TimelinePoint[] = [];
    const r1 = (x: number) => Math.round(x * 10) / 10;
    for (let s = first; s <= last; s += step) {
      const b: Bucket = { packets: 0, bytes: 0, tcp: 0, udp: 0, icmp: 0, decoded: 0, syn: 0, fragments: 0, distinct: 0 };
      for (let i = s; i < s + step && i <= last; i++) {
        const x = this.#seconds.get(i);
        if (x === undefined) continue;
        b.packets += x.packets;
        b.bytes += x.bytes;
        b.tcp += x.tcp;
        b.udp += x.udp;
        b.icmp += x.icmp;
        b.decoded += x.decoded;
        b.syn += x.syn;
        b.fragments += x.fragments;
        b.distinct = Math.max(b.distinct, x.distinct);
      }
      const pct = (n: number) => (b.decoded > 0 ? r1((100 * n) / b.decoded) : 0);
      points.push({
        ts: new Date(s * 1000).toISOString(),
        pps: Math.round(b.packets / step),
        bps: Math.round((b.bytes * 8) / step),
        tcp_pct: pct(b.tcp),
        udp_pct: pct(b.udp),
        icmp_pct: pct(b.icmp),
        other_pct: b.decoded > 0 ? r1(Math.max(0, 100 - pct(b.tcp) - pct(b.udp) - pct(b.icmp))) : 0,
        syn_pps: Math.round(b.syn / step),
        fragment_pps: Math.round(b.fragments / step),
        distinct_sources: Math.round(b.distinct),
        attack: attackAt(s * 1000, (s + step) * 1000),
      });
    }
    return { step, points };
  }
}
