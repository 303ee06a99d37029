// Frames in, one TickStats per tick out. Ticks are aligned to multiples of tickMs in
// capture time, so offline analysis of a pcap and the live agent produce the same ticks.
// Every frame counts in `total`; one in `sampleRate` is decoded for the detail, and the
// detail is reported raw (unscaled) with that rate, as the contract says.
import type { Counter, TcpFlagCounts, TickStats } from '@breakwater/contracts';
import { hashKey, hashV4, readSourceKey } from './address-key.ts';
import type { CaptureRecord } from '../capture-file/capture-record.ts';
import { CountryCounter, type GeoLookup } from './country-counter.ts';
import { DecodeErrorCounter } from '../decode/decode-error-counter.ts';
import { decodePacket } from '../decode/decode-packet.ts';
import { DecodedPacket, IpProto, TcpFlag } from '../decode/decoded-packet.ts';
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

// Per-tick counts live in typed arrays while the tick is open and become a TickStats
// when it closes: a packet costs a few indexed increments, with lookup tables in place
// of branch chains (sizes, protocols and flag combinations arrive in random order).
const C_TOTAL = 0;
const C_DECODED = 2;
/** byProtocol (tcp, udp, icmp, gre, other), packets then bytes. */
const C_PROTO = 4;
const C_IPV6 = 14;
const C_FRAGMENTS = 16;
const C_ERRORS = 18;
const C_LENGTH = 19;
const P_TCP = 0;
const P_UDP = 1;
const P_OTHER = 4;
/** IP protocol number → its byProtocol entry. */
const PROTO_CLASS = Uint8Array.from({ length: 256 }, (_, p) =>
  p === IpProto.tcp ? P_TCP : p === IpProto.udp ? P_UDP : p === IpProto.icmp || p === IpProto.icmpv6 ? 2 : p === IpProto.gre ? 3 : P_OTHER,
);
const LAST_BOUND = SIZE_BUCKETS[SIZE_BUCKETS.length - 1]!;
/** Wire length (up to the last bound) → size bucket. */
const SIZE_BUCKET = Uint8Array.from({ length: LAST_BOUND + 1 }, (_, n) => SIZE_BUCKETS.findIndex((b) => n <= b));

// Sources and ports are queued per packet and counted a batch at a time, each structure in
// its own loop: interleaved per packet, the port tables (1 MiB each, hit at random by
// random ports) and the geo cache pushed the heavy-hitter tables out of the core's caches,
// and each packet's misses waited one after the other. Batches keep the packets' order, so
// every count is what packet-at-a-time counting gives; they are drained before a tick is
// emitted.
const SOURCE_BATCH = 512;
const PORT_BATCH = 1024;

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
  /** Queued sources: key words, hash, wire bytes, and 1 for an IPv6 header. */
  readonly #srcKeys = new Int32Array(SOURCE_BATCH * 4);
  readonly #srcHashes = new Int32Array(SOURCE_BATCH);
  readonly #srcBytes = new Float64Array(SOURCE_BATCH);
  readonly #srcV6 = new Uint8Array(SOURCE_BATCH);
  #srcQueued = 0;
  /** Queued ports: destination << 16 | source, and wire bytes. */
  readonly #ports = new Int32Array(PORT_BATCH);
  readonly #portBytes = new Float64Array(PORT_BATCH);
  #portsQueued = 0;
  readonly #c = new Float64Array(C_LENGTH);
  readonly #sizes = new Float64Array(SIZE_BUCKETS.length + 1);
  readonly #ttl = new Float64Array(256);
  /** Packets by their six classified TCP flag bits (FIN..URG); classes are derived at emit. */
  readonly #flags = new Float64Array(64);
  /** Start of the open tick; NaN before the first frame. */
  #tickStart = Number.NaN;
  /** The open tick's `ts` (kept when no frame has been seen, as before). */
  #ts = 0;
  #sampleCountdown = 1;

  constructor(options: TickAggregatorOptions, deps: TickAggregatorDeps) {
    this.tickMs = positiveInt('tickMs', options.tickMs, 100, 3_600_000);
    this.sampleRate = positiveInt('sampleRate', options.sampleRate, 1, 1_000_000);
    this.#topN = positiveInt('topN', options.topN, 10, 1000);
    this.#maxGap = positiveInt('maxGapTicks', options.maxGapTicks, 600, 1_000_000);
    this.#sources = new SpaceSaving(positiveInt('heavyHitterCapacity', options.heavyHitterCapacity, 1024, 1 << 20));
    this.#countries = deps.geo === undefined ? null : new CountryCounter(deps.geo, positiveInt('geoLookupsPerTick', options.geoLookupsPerTick, 256, 1 << 24));
    this.#ioc = options.iocPatterns !== undefined && options.iocPatterns.length > 0 ? new IocMatcher(options.iocPatterns) : null;
    this.#onTick = deps.onTick;
  }

  addRecord(rec: CaptureRecord): void {
    this.addFrame(rec.tsMs, rec.linktype, rec.buf, rec.offset, rec.caplen, rec.origlen);
  }

  /** Counts one captured frame at capture time `tsMs`; decodes it when it is sampled. */
  addFrame(tsMs: number, linktype: number, buf: Uint8Array, offset: number, caplen: number, origlen: number): void {
    // A frame earlier than the open tick (reordered) counts in it: emitted ticks never reopen.
    if (!(tsMs < this.#tickStart + this.tickMs)) this.#roll(tsMs);
    const wire = origlen > caplen ? origlen : caplen;
    const c = this.#c;
    c[C_TOTAL]! += 1;
    c[C_TOTAL + 1]! += wire;
    if (--this.#sampleCountdown > 0) return;
    this.#sampleCountdown = this.sampleRate;
    const p = this.packet;
    decodePacket(linktype, buf, offset, caplen, p);
    this.#account(p, wire);
  }

  /** Closes every tick ending at or before `nowMs`: a quiet link still yields (empty) ticks. */
  advanceTo(nowMs: number): void {
    if (Number.isNaN(this.#tickStart)) {
      this.#tickStart = this.#align(nowMs);
      this.#ts = this.#tickStart;
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
    // Also reached for a NaN timestamp (every comparison with it fails): ignored below, and
    // the frame counts in the open tick as before.
    const target = this.#align(tsMs);
    if (!Number.isFinite(target)) return;
    if (!Number.isNaN(this.#tickStart)) {
      this.#emit();
      let gaps = 0;
      for (let s = this.#tickStart + this.tickMs; s < target && gaps < this.#maxGap; s += this.tickMs, gaps++) {
        this.#ts = s;
        this.#emit();
      }
    }
    this.#tickStart = target;
    this.#ts = target;
  }

  #emit(): void {
    this.#drainSources();
    this.#drainPorts();
    const c = this.#c;
    const pair = (i: number): Counter => ({ packets: c[i]!, bytes: c[i + 1]! });
    const t: TickStats = {
      ts: this.#ts,
      durationMs: this.tickMs,
      total: pair(C_TOTAL),
      sampleRate: this.sampleRate,
      decoded: pair(C_DECODED),
      byProtocol: { tcp: pair(C_PROTO), udp: pair(C_PROTO + 2), icmp: pair(C_PROTO + 4), gre: pair(C_PROTO + 6), other: pair(C_PROTO + 8) },
      ipv6: pair(C_IPV6),
      tcpFlags: flagClasses(this.#flags),
      fragments: pair(C_FRAGMENTS),
      sizeHistogram: Array.from(this.#sizes),
      ttlHistogram: Array.from(this.#ttl),
      topSources: this.#sources.top(this.#topN).map(({ key, packets, bytes }) => ({ key, packets, bytes })),
      topDstPorts: this.#dstPorts.top(this.#topN),
      topSrcPorts: this.#srcPorts.top(this.#topN),
      distinctSources: this.#sources.size === 0 ? 0 : this.#hll.estimate(),
      countries: this.#countries !== null ? this.#countries.take() : {},
      iocMatches: {},
      decodeErrors: c[C_ERRORS]!,
    };
    if (this.#ioc !== null) {
      t.iocMatches = this.#ioc.counts();
      this.#ioc.reset();
    }
    this.#sources.reset();
    this.#hll.reset();
    this.#dstPorts.reset();
    this.#srcPorts.reset();
    c.fill(0);
    this.#sizes.fill(0);
    this.#ttl.fill(0);
    this.#flags.fill(0);
    this.#ts += this.tickMs;
    this.#onTick(t);
  }

  #account(p: DecodedPacket, wire: number): void {
    const c = this.#c;
    c[C_DECODED]! += 1;
    c[C_DECODED + 1]! += wire;
    if (p.status !== 0) {
      c[C_ERRORS]! += 1;
      this.decodeErrors.count(p);
    }
    // NaN or beyond the last bound: the open bucket; a fractional length rounds up.
    this.#sizes[wire <= LAST_BOUND ? (wire > 0 ? SIZE_BUCKET[Math.ceil(wire)]! : 0) : SIZE_BUCKETS.length]! += 1;
    const l = p.ip;
    if (l.version === 0) {
      c[C_PROTO + 2 * P_OTHER]! += 1;
      c[C_PROTO + 2 * P_OTHER + 1]! += wire;
      return;
    }
    if (l.version === 6) {
      c[C_IPV6]! += 1;
      c[C_IPV6 + 1]! += wire;
    }
    this.#ttl[l.ttl]! += 1;
    if (l.fragment) {
      c[C_FRAGMENTS]! += 1;
      c[C_FRAGMENTS + 1]! += wire;
    }
    const cls = PROTO_CLASS[l.protocol]!;
    c[C_PROTO + 2 * cls]! += 1;
    c[C_PROTO + 2 * cls + 1]! += wire;
    if (cls <= P_UDP && l.transport) {
      if (cls === P_TCP) this.#flags[l.tcpFlags & TCP_MASK]! += 1;
      const n = this.#portsQueued;
      this.#ports[n] = (l.dstPort << 16) | l.srcPort;
      this.#portBytes[n] = wire;
      if ((this.#portsQueued = n + 1) === PORT_BATCH) this.#drainPorts();
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
    const n = this.#srcQueued;
    const keys = this.#srcKeys;
    const at = n << 2;
    keys[at] = w0;
    keys[at | 1] = w1;
    keys[at | 2] = w2;
    keys[at | 3] = w3;
    this.#srcHashes[n] = hash;
    this.#srcBytes[n] = wire;
    this.#srcV6[n] = l.version === 6 ? 1 : 0;
    if ((this.#srcQueued = n + 1) === SOURCE_BATCH) this.#drainSources();
    if (this.#ioc !== null) {
      // A tunnel's payload is what its sender chose; scan the innermost one decoded.
      const src = p.inner.version !== 0 ? p.inner : l;
      if (src.payloadCaptured > 0) this.#ioc.scan(p.buf, src.payloadOffset, src.payloadOffset + src.payloadCaptured);
    }
  }

  #drainSources(): void {
    const n = this.#srcQueued;
    if (n === 0) return;
    this.#srcQueued = 0;
    const keys = this.#srcKeys;
    const hashes = this.#srcHashes;
    const hll = this.#hll;
    for (let i = 0; i < n; i++) hll.add(hashes[i]!);
    const ss = this.#sources;
    const bytes = this.#srcBytes;
    for (let i = 0; i < n; i++) ss.add(keys[i << 2]!, keys[(i << 2) | 1]!, keys[(i << 2) | 2]!, keys[(i << 2) | 3]!, hashes[i]!, bytes[i]!);
    const geo = this.#countries;
    if (geo === null) return;
    const v6 = this.#srcV6;
    for (let i = 0; i < n; i++) geo.add(keys[i << 2]!, keys[(i << 2) | 1]!, keys[(i << 2) | 2]!, keys[(i << 2) | 3]!, hashes[i]!, v6[i] === 1);
  }

  #drainPorts(): void {
    const n = this.#portsQueued;
    this.#portsQueued = 0;
    const ports = this.#ports;
    const bytes = this.#portBytes;
    const dst = this.#dstPorts;
    const src = this.#srcPorts;
    for (let i = 0; i < n; i++) {
      const pp = ports[i]!;
      dst.add(pp >>> 16, bytes[i]!);
      src.add(pp & 0xffff, bytes[i]!);
    }
  }
}

/** TcpFlagCounts from packets binned by their FIN..URG bits. */
function flagClasses(bins: Float64Array): TcpFlagCounts {
  const f: TcpFlagCounts = { syn: 0, synAck: 0, ack: 0, rst: 0, fin: 0, psh: 0, urg: 0, xmas: 0, null: 0 };
  for (let bits = 0; bits < 64; bits++) {
    const n = bins[bits]!;
    if (n === 0) continue;
    const one: TcpFlagCounts = { syn: 0, synAck: 0, ack: 0, rst: 0, fin: 0, psh: 0, urg: 0, xmas: 0, null: 0 };
    countFlags(one, bits);
    for (const k of Object.keys(f) as (keyof TcpFlagCounts)[]) f[k] += one[k] * n;
  }
  return f;
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
