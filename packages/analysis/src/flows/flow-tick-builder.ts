// Flow records for one destination → one TickStats, the detection engine's input. "Decoded"
// detail is in exported units (a NetFlow record's packets, one per sFlow sample) and the totals
// are scaled by each record's sampling rate, so the engine's total ÷ decoded factor is the
// sampling rate in force. A record counts in the tick in which it arrived: with a 1 s active
// timeout a flow's last second of packets lands in the engine's 1 s window, which is what the
// window's rate means.
import type { Counter, FlowRecord, HeavyHitter, TcpFlagCounts, TickStats } from '@breakwater/contracts';
import { countFlags, HyperLogLog, SIZE_BUCKETS } from '@breakwater/packets';

/** Sources and ports tracked per tick; a random-source flood beyond that still counts in totals and the distinct estimate. */
const MAX_KEYS = 4096;
const TOP_N = 20;

const counter = (): Counter => ({ packets: 0, bytes: 0 });
const flags = (): TcpFlagCounts => ({ syn: 0, synAck: 0, ack: 0, rst: 0, fin: 0, psh: 0, urg: 0, xmas: 0, null: 0 });

/** FNV-1a over the address text: the HyperLogLog wants a well-mixed 32-bit hash. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function bump<K>(m: Map<K, Counter>, k: K, packets: number, bytes: number): void {
  const c = m.get(k);
  if (c) {
    c.packets += packets;
    c.bytes += bytes;
  } else if (m.size < MAX_KEYS) m.set(k, { packets, bytes });
}

function top<K>(m: Map<K, Counter>): HeavyHitter<K>[] {
  return [...m].sort((a, b) => b[1].packets - a[1].packets).slice(0, TOP_N).map(([key, c]) => ({ key, packets: c.packets, bytes: c.bytes }));
}

export class FlowTickBuilder {
  #total = counter();
  #decoded = counter();
  #proto = { tcp: counter(), udp: counter(), icmp: counter(), gre: counter(), other: counter() };
  #ipv6 = counter();
  #flags = flags();
  #fragments = counter();
  #sizes = new Array<number>(SIZE_BUCKETS.length + 1).fill(0);
  #ttl = new Array<number>(256).fill(0);
  #sources = new Map<string, Counter>();
  #dstPorts = new Map<number, Counter>();
  #srcPorts = new Map<number, Counter>();
  #hll: HyperLogLog | null = null;
  #records = 0;
  readonly #one = flags();

  get records(): number {
    return this.#records;
  }

  add(r: FlowRecord): void {
    const p = r.packetsRaw;
    const b = r.bytesRaw;
    if (!(p > 0)) return;
    this.#records++;
    this.#total.packets += r.packets;
    this.#total.bytes += r.bytes;
    this.#decoded.packets += p;
    this.#decoded.bytes += b;
    const proto = r.ipProtocol === 6 ? this.#proto.tcp : r.ipProtocol === 17 ? this.#proto.udp
      : r.ipProtocol === 1 || r.ipProtocol === 58 ? this.#proto.icmp : r.ipProtocol === 47 ? this.#proto.gre : this.#proto.other;
    proto.packets += p;
    proto.bytes += b;
    if (r.ipVersion === 6) {
      this.#ipv6.packets += p;
      this.#ipv6.bytes += b;
    }
    if (r.ipProtocol === 6) this.#addFlags(r, p);
    if (r.fragment) {
      this.#fragments.packets += p;
      this.#fragments.bytes += b;
    }
    const avg = b / p;
    let i = 0;
    while (i < SIZE_BUCKETS.length && avg > SIZE_BUCKETS[i]!) i++;
    this.#sizes[i]! += p;
    if (r.ttl > 0 && r.ttl < 256) this.#ttl[r.ttl]! += p;
    if (r.srcAddr !== '') {
      bump(this.#sources, r.srcAddr, p, b);
      (this.#hll ??= new HyperLogLog()).add(hash32(r.srcAddr));
    }
    if (r.ipProtocol === 6 || r.ipProtocol === 17) {
      bump(this.#dstPorts, r.dstPort, p, b);
      bump(this.#srcPorts, r.srcPort, p, b);
    }
  }

  /**
   * A flow's flags are OR-ed over its packets: a flow without ACK (a SYN, RST, FIN, XMAS or null
   * flood, one packet per flow or many) counts every packet in its classes; an established
   * flow (ACK set) counts one packet per SYN/FIN/RST it carries and the rest as plain ACKs.
   * An sFlow sample is one packet, its flags exact.
   */
  #addFlags(r: FlowRecord, p: number): void {
    const f = this.#flags;
    const o = this.#one;
    o.syn = o.synAck = o.ack = o.rst = o.fin = o.psh = o.urg = o.xmas = o.null = 0;
    countFlags(o, r.tcpFlags);
    if (p === 1 || (r.tcpFlags & 0x10) === 0) {
      for (const k of Object.keys(o) as (keyof TcpFlagCounts)[]) f[k] += o[k] * p;
      return;
    }
    const special = o.synAck + o.rst + o.fin;
    f.synAck += o.synAck;
    f.rst += o.rst;
    f.fin += o.fin;
    f.psh += o.psh ? p : 0;
    f.urg += o.urg;
    f.ack += Math.max(0, p - special);
  }

  /** The tick so far (ts..ts+durationMs), and a fresh start. */
  take(ts: number, durationMs: number): TickStats {
    const t: TickStats = {
      ts, durationMs, total: this.#total, sampleRate: this.#decoded.packets > 0 ? Math.max(1, this.#total.packets / this.#decoded.packets) : 1,
      decoded: this.#decoded, byProtocol: this.#proto, ipv6: this.#ipv6, tcpFlags: this.#flags, fragments: this.#fragments,
      sizeHistogram: this.#sizes, ttlHistogram: this.#ttl, topSources: top(this.#sources), topDstPorts: top(this.#dstPorts),
      topSrcPorts: top(this.#srcPorts), distinctSources: this.#hll ? Math.round(this.#hll.estimate()) : 0, countries: {}, iocMatches: {}, decodeErrors: 0,
    };
    this.#total = counter();
    this.#decoded = counter();
    this.#proto = { tcp: counter(), udp: counter(), icmp: counter(), gre: counter(), other: counter() };
    this.#ipv6 = counter();
    this.#flags = flags();
    this.#fragments = counter();
    this.#sizes = new Array<number>(SIZE_BUCKETS.length + 1).fill(0);
    this.#ttl = new Array<number>(256).fill(0);
    this.#sources = new Map();
    this.#dstPorts = new Map();
    this.#srcPorts = new Map();
    this.#hll?.reset();
    this.#records = 0;
    return t;
  }
}
