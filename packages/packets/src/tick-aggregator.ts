// Frames in, one TickStats per tick out. Ticks are aligned to multiples of tickMs in
// capture time, so offline analysis of a pcap and the live agent produce the same ticks.
// Every frame counts in `total`; one in `sampleRate` is decoded for the detail, and the
// detail is reported raw (unscaled) with that rate, as the contract says.
import type { Counter, TcpFlagCounts, TickStats } from '@breakwater/contracts';
import { hashKey, hashV4, readSourceKey } from './address-key.ts';
import type { CaptureRecord } from './capture-record.ts';
import { CountryCounter, type GeoLookup } from './country-counter.ts';
import { DecodeErrorCounter } from './decode-error-counter.ts';
import { decodePacket } from './decode-packet.ts';
import { DecodedPacket, IpProto, TcpFlag } from './decoded-packet.ts';
import { HyperLogLog } from './hyperloglog.ts';
import { IocMatcher, type IocPattern } from './ioc-matcher.ts';
import { PortCounter } from './port-counter.ts';
import { SpaceSaving } from './space-saving.ts';

export interface TickAggregatorOptions {
  /** Tick length in ms (default 100). */
  tickMs?: number;
  /** Decode 1 in N frames for detail (default 1: every frame). */
  sampleRate?: number;
  /** Entries in each top list (default 10). */
  topN?: number;
  /** Space-Saving counters for top sources (default 1024). */
  heavyHitterCapacity?: number;
  iocPatterns?: readonly IocPattern[];
  /** Geo lookups per tick before misses are sampled (default 256). */
  geoLookupsPerTick?: number;
  /** Empty ticks emitted for a silent gap before jumping ahead (default 600 = 1 min). */
  maxGapTicks?: number;
}

export interface TickAggregatorDeps {
  onTick: (stats: TickStats) => void;
  /** Address → ISO country code; countries stay empty without it. */
  geo?: GeoLookup;
}

/** Packet-size buckets' upper bounds (bytes), the last bucket is everything larger. */
export const SIZE_BUCKETS = [64, 128, 256, 512, 1024, 1500] as const;

const TCP_MASK = TcpFlag.fin | TcpFlag.syn | TcpFlag.rst | TcpFlag.psh | TcpFlag.ack | TcpFlag.urg;

function positiveInt(name: string, v: number | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`TickAggregator option ${name} must be an integer 1..${max}, got ${v}`);
  return v;
}

export class TickAggregator {
  readonly tickMs: number;
  readonly sampleRate: number;
  /** Cumulative decode errors by decoder, for `decode_errors_total{decoder}`. */
  readonly decodeErrors = new DecodeErrorCounter();
  /** The packet view reused for every decode; valid after addFrame until the next one. */
  readonly packet = new DecodedPacket();

  readonly #onTick: (stats: TickStats) => void;
  readonly #topN: number;
  readonly #maxGap: number;
  readonly #sources: SpaceSaving;
  readonly #hll = new HyperLogLog(12);
  readonly #dstPorts = new PortCounter();
  readonly #srcPorts = new PortCounter();
  readonly #countries: CountryCounter | null;
  readonly #ioc: IocMatcher | null;
  readonly #key = new Uint32Array(4);
  /** Start of the open tick; NaN before the first frame. */
  #tickStart = Number.NaN;
  #sampleCountdown = 1;
  #t!: TickStats;

  constructor(options: TickAggregatorOptions, deps: TickAggregatorDeps) {
    this.tickMs = positiveInt('tickMs', options.tickMs, 100, 3_600_000);
    this.sampleRate = positiveInt('sampleRate', options.sampleRate, 1, 1_000_000);
    this.#topN = positiveInt('topN', options.topN, 10, 1000);
    this.#maxGap = positiveInt('maxGapTicks', options.maxGapTicks, 600, 1_000_000);
    this.#sources = new SpaceSaving(positiveInt('heavyHitterCapacity', options.heavyHitterCapacity, 1024, 1 << 20));
    this.#countries = deps.geo === undefined ? null : new CountryCounter(deps.geo, positiveInt('geoLookupsPerTick', options.geoLookupsPerTick, 256, 1 << 24));
    this.#ioc = options.iocPatterns !== undefined && options.iocPatterns.length > 0 ? new IocMatcher(options.iocPatterns) : null;
    this.#onTick = deps.onTick;
    this.#t = this.#fresh(0);
  }

  addRecord(rec: CaptureRecord): void {
    this.addFrame(rec.tsMs, rec.linktype, rec.buf, rec.offset, rec.caplen, rec.origlen);
  }

  /** Counts one captured frame at capture time `tsMs`; decodes it when it is sampled. */
  addFrame(tsMs: number, linktype: number, buf: Uint8Array, offset: number, caplen: number, origlen: number): void {
    // A frame earlier than the open tick (reordered) counts in it: emitted ticks never reopen.
    if (Number.isNaN(this.#tickStart) || tsMs >= this.#tickStart + this.tickMs) this.#roll(tsMs);
    const t = this.#t;
    const wire = origlen > caplen ? origlen : caplen;
    t.total.packets++;
    t.total.bytes += wire;
    if (--this.#sampleCountdown > 0) return;
    this.#sampleCountdown = this.sampleRate;
    const p = this.packet;
    decodePacket(linktype, buf, offset, caplen, p);
    this.#account(t, p, wire);
  }

  /** Closes every tick ending at or before `nowMs`: a quiet link still yields (empty) ticks. */
  advanceTo(nowMs: number): void {
    if (Number.isNaN(this.#tickStart)) {
      this.#tickStart = this.#align(nowMs);
      this.#t.ts = this.#tickStart;
      return;
    }
    if (nowMs >= this.#tickStart + this.tickMs) this.#roll(nowMs);
  }

  /** Emits the open tick (end of a capture file). */
  flush(): void {
    if (Number.isNaN(this.#tickStart)) return;
    this.#emit();
    this.#tickStart = Number.NaN;
  }

  #align(ms: number): number {
    return Math.floor(ms / this.tickMs) * this.tickMs;
  }

  /** Emits the open tick and the empty ones up to the tick holding `tsMs`, then opens it. */
  #roll(tsMs: number): void {
    const target = this.#align(tsMs);
    if (!Number.isFinite(target)) return;
    if (!Number.isNaN(this.#tickStart)) {
      this.#emit();
      let gaps = 0;
      for (let s = this.#tickStart + this.tickMs; s < target && gaps < this.#maxGap; s += this.tickMs, gaps++) {
        this.#t.ts = s;
        this.#emit();
      }
    }
    this.#tickStart = target;
    this.#t.ts = target;
  }

  #emit(): void {
    const t = this.#t;
    t.topSources = this.#sources.top(this.#topN).map(({ key, packets, bytes }) => ({ key, packets, bytes }));
    t.topDstPorts = this.#dstPorts.top(this.#topN);
    t.topSrcPorts = this.#srcPorts.top(this.#topN);
    t.distinctSources = this.#sources.size === 0 ? 0 : this.#hll.estimate();
    if (this.#countries !== null) t.countries = this.#countries.take();
    if (this.#ioc !== null) {
      t.iocMatches = this.#ioc.counts();
      this.#ioc.reset();
    }
    this.#sources.reset();
    this.#hll.reset();
    this.#dstPorts.reset();
    this.#srcPorts.reset();
    this.#t = this.#fresh(t.ts + this.tickMs);
    this.#onTick(t);
  }

  #account(t: TickStats, p: DecodedPacket, wire: number): void {
    t.decoded.packets++;
    t.decoded.bytes += wire;
    if (p.status !== 0) {
      t.decodeErrors++;
      this.decodeErrors.count(p);
    }
    const h = t.sizeHistogram;
    if (wire <= 64) h[0]!++;
    else if (wire <= 128) h[1]!++;
    else if (wire <= 256) h[2]!++;
    else if (wire <= 512) h[3]!++;
    else if (wire <= 1024) h[4]!++;
    else if (wire <= 1500) h[5]!++;
    else h[6]!++;
    const l = p.ip;
    if (l.version === 0) {
      add(t.byProtocol.other, wire);
      return;
    }
    if (l.version === 6) add(t.ipv6, wire);
    t.ttlHistogram[l.ttl]!++;
    if (l.fragment) add(t.fragments, wire);
    const proto = l.protocol;
    if (proto === IpProto.tcp) {
      add(t.byProtocol.tcp, wire);
      if (l.transport) {
        countFlags(t.tcpFlags, l.tcpFlags);
        this.#dstPorts.add(l.dstPort, wire);
        this.#srcPorts.add(l.srcPort, wire);
      }
    } else if (proto === IpProto.udp) {
      add(t.byProtocol.udp, wire);
      if (l.transport) {
        this.#dstPorts.add(l.dstPort, wire);
        this.#srcPorts.add(l.srcPort, wire);
      }
    } else if (proto === IpProto.icmp || proto === IpProto.icmpv6) {
      add(t.byProtocol.icmp, wire);
    } else if (proto === IpProto.gre) {
      add(t.byProtocol.gre, wire);
    } else {
      add(t.byProtocol.other, wire);
    }
    // Source key words (IPv4 as ::ffff:a.b.c.d) and their hash, computed once for the
    // heavy hitters, the distinct count and the geo cache.
    let w0 = 0;
    let w1 = 0;
    let w2 = 0xffff;
    let w3: number;
    let hash: number;
    if (l.version === 4) {
      w3 = l.src4;
      hash = hashV4(w3);
    } else {
      const k = this.#key;
      readSourceKey(l, p.buf, k);
      w0 = k[0]!;
      w1 = k[1]!;
      w2 = k[2]!;
      w3 = k[3]!;
      hash = hashKey(w0, w1, w2, w3);
    }
    this.#hll.add(hash);
    this.#sources.add(w0, w1, w2, w3, hash, wire);
    if (this.#countries !== null) this.#countries.add(w0, w1, w2, w3, hash, l, p.buf);
    if (this.#ioc !== null) {
      // A tunnel's payload is what its sender chose; scan the innermost one decoded.
      const src = p.inner.version !== 0 ? p.inner : l;
      if (src.payloadCaptured > 0) this.#ioc.scan(p.buf, src.payloadOffset, src.payloadOffset + src.payloadCaptured);
    }
  }

  #fresh(ts: number): TickStats {
    return {
      ts,
      durationMs: this.tickMs,
      total: counter(),
      sampleRate: this.sampleRate,
      decoded: counter(),
      byProtocol: { tcp: counter(), udp: counter(), icmp: counter(), gre: counter(), other: counter() },
      ipv6: counter(),
      tcpFlags: { syn: 0, synAck: 0, ack: 0, rst: 0, fin: 0, psh: 0, urg: 0, xmas: 0, null: 0 },
      fragments: counter(),
      sizeHistogram: new Array<number>(SIZE_BUCKETS.length + 1).fill(0),
      ttlHistogram: new Array<number>(256).fill(0),
      topSources: [],
      topDstPorts: [],
      topSrcPorts: [],
      distinctSources: 0,
      countries: {},
      iocMatches: {},
      decodeErrors: 0,
    };
  }
}

function counter(): Counter {
  return { packets: 0, bytes: 0 };
}

function add(c: Counter, bytes: number): void {
  c.packets++;
  c.bytes += bytes;
}

/** Flag classes as the contract defines them; a packet may count in several. */
export function countFlags(f: TcpFlagCounts, flags: number): void {
  const syn = (flags & TcpFlag.syn) !== 0;
  const ack = (flags & TcpFlag.ack) !== 0;
  if (syn && !ack) f.syn++;
  if (syn && ack) f.synAck++;
  if (ack && (flags & (TcpFlag.syn | TcpFlag.rst | TcpFlag.fin | TcpFlag.psh)) === 0) f.ack++;
  if ((flags & TcpFlag.rst) !== 0) f.rst++;
  if ((flags & TcpFlag.fin) !== 0) f.fin++;
  if ((flags & TcpFlag.psh) !== 0) f.psh++;
  if ((flags & TcpFlag.urg) !== 0) f.urg++;
  if ((flags & (TcpFlag.fin | TcpFlag.psh | TcpFlag.urg)) === (TcpFlag.fin | TcpFlag.psh | TcpFlag.urg)) f.xmas++;
  if ((flags & TCP_MASK) === 0) f.null++;
}
