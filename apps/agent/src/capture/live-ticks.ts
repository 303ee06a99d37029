// The agent's tick loop: every tick, exact totals from the kernel counters and detail
// from the captured packets, as one TickStats. Capture may lag or sample; the counters
// do not, so a tick's `total` is the counters' delta and its detail keeps the sample.
// Above what the agent can decode, the adaptive sampler passes 1 in N packets on to the
// decoder; the tick then carries the sample (decoded) and N = seen / decoded (sampleRate).
import { performance } from 'node:perf_hooks';
import type { CounterSample, TickStats } from '@breakwater/contracts';
import { TickAggregator, type CaptureRecord, type GeoLookup, type IocPattern } from '@breakwater/packets';
import { counterDelta, type CounterReading, type CounterSource } from '../kernel-counters.ts';
import { AdaptiveSampler, type AdaptiveSamplerOptions } from './adaptive-sampler.ts';

const BOUNDARY_MARGIN_MS = 3;

/** The event loop's utilisation between successive calls. */
function eventLoopLoad(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}

export interface LiveTicksOptions {
  tickMs?: number;
  /** How often the received-packet counters are read for fast detection (0 = not at all). */
  counterTickMs?: number;
  iocPatterns?: readonly IocPattern[];
  /** Adaptive decode sampling (budget, maximum N, load bound); see AdaptiveSampler. */
  sampling?: Omit<AdaptiveSamplerOptions, 'tickMs'>;
}

export interface LiveTicksDeps {
  counters: CounterSource;
  now: () => number;
  onTick: (tick: TickStats) => void;
  /** Exact totals every counterTickMs, between two reads (real elapsed time, not nominal). */
  onCounters?: (sample: CounterSample) => void;
  geo?: GeoLookup;
  /** Clock for timing decodes (ms, sub-millisecond); performance.now by default. */
  perfNow?: () => number;
  /** The event loop's utilisation since the previous call (0..1); from perf_hooks by default. */
  eventLoopLoad?: () => number;
}

export class LiveTicks {
  readonly #agg: TickAggregator;
  readonly #d: LiveTicksDeps;
  readonly #tickMs: number;
  readonly #emitted: TickStats[] = [];
  readonly #sampler: AdaptiveSampler;
  readonly #perfNow: () => number;
  readonly #elu: () => number;
  #prev: CounterReading | null = null;
  #carry = { packets: 0, bytes: 0 };
  /** Running sums since start: what the kernel counted, what capture saw, what ticks reported. */
  readonly #cum = { kernel: { packets: 0, bytes: 0 }, captured: { packets: 0, bytes: 0 }, reported: { packets: 0, bytes: 0 } };
  #timer: NodeJS.Timeout | null = null;
  readonly #counterTickMs: number;
  #fastTimer: NodeJS.Timeout | null = null;
  #fastPrev: { perf: number; end: number; packets: number; bytes: number } | null = null;

  constructor(o: LiveTicksOptions, d: LiveTicksDeps) {
    this.#tickMs = o.tickMs ?? 100;
    this.#counterTickMs = o.counterTickMs ?? 10;
    this.#d = d;
    this.#sampler = new AdaptiveSampler({ tickMs: this.#tickMs, ...o.sampling });
    this.#perfNow = d.perfNow ?? (() => performance.now());
    this.#elu = d.eventLoopLoad ?? eventLoopLoad();
    // The aggregator decodes every packet it is given: the sampling happens before it.
    this.#agg = new TickAggregator(
      { tickMs: this.#tickMs, ...(o.iocPatterns ? { iocPatterns: o.iocPatterns } : {}) },
      { onTick: (t) => this.#emitted.push(t), ...(d.geo ? { geo: d.geo } : {}) },
    );
  }

  /** The current decode sampling: 1 in `rate` packets, and the event loop's load behind it. */
  get sampling(): { rate: number; load: number } {
    return { rate: this.#sampler.rate, load: this.#sampler.load };
  }

  /** Feed captured packets here (from a CaptureSource). */
  readonly onRecord = (rec: CaptureRecord): void => {
    if (!this.#sampler.take(rec.tsMs)) return;
    if (!this.#sampler.probe()) {
      this.#agg.addRecord(rec);
      return;
    }
    const t0 = this.#perfNow();
    this.#agg.addRecord(rec);
    this.#sampler.cost(this.#perfNow() - t0);
  };


  start(): void {
    this.#prev = this.#d.counters.read();
    this.#agg.advanceTo(this.#d.now());
    // Each step runs just after a tick boundary, so a tick is judged as soon as it ends
    // (a free-running interval would add half a tick of delay on average). The small
    // margin lets the capture pipe deliver the tick's last packets.
    const next = () => {
      const now = this.#d.now();
      this.#timer = setTimeout(() => {
        this.step();
        if (this.#timer) next();
      }, this.#tickMs - (now % this.#tickMs) + BOUNDARY_MARGIN_MS);
    };
    next();
    if (this.#counterTickMs > 0 && this.#d.onCounters) {
      // A plain interval: each sample carries the real time between its two reads, so a late
      // timer makes a longer sample, never a wrong rate.
      this.#fastTimer = setInterval(() => this.counterStep(), this.#counterTickMs);
    }
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#fastTimer) clearInterval(this.#fastTimer);
    this.#fastTimer = null;
    this.#d.counters.close?.();
  }

  /** One read of the received counters for fast detection (public so a test can drive it). */
  counterStep(): void {
    const c = this.#d.counters;
    let cur: { packets: number; bytes: number };
    const before = this.#perfNow();
    try {
      const r = c.readRx ? c.readRx() : c.read();
      cur = { packets: r.rxPackets, bytes: r.rxBytes };
    } catch {
      this.#fastPrev = null; // the tick loop reports the interface's trouble
      return;
    }
    // Durations from the monotonic sub-millisecond clock (Date.now()'s 1 ms steps would be a 10%
    // error on a 10 ms sample); samples follow each other on one timeline, re-anchored to the
    // wall clock only when it stepped away.
    const perf = this.#perfNow();
    // Descheduled around the read: its time is uncertain, and a 10 ms sample is short enough for
    // that to double a rate. Skip it; the next read covers its time.
    if (perf - before > 1 && this.#fastPrev) return;
    const wall = this.#d.now();
    const prev = this.#fastPrev;
    if (!prev) {
      this.#fastPrev = { perf, end: wall, ...cur };
      return;
    }
    const durationMs = perf - prev.perf;
    const ts = Math.abs(prev.end + durationMs - wall) > 50 ? wall - durationMs : prev.end;
    this.#fastPrev = { perf, end: ts + durationMs, ...cur };
    if (!(durationMs > 0) || cur.packets < prev.packets || cur.bytes < prev.bytes) return;
    this.#d.onCounters?.({ ts, durationMs, packets: cur.packets - prev.packets, bytes: cur.bytes - prev.bytes });
  }

  /** One turn of the loop (public so a test can drive it with its own clock). */
  step(): void {
    this.#sampler.reportLoad(this.#elu());
    const cur = this.#d.counters.read();
    const d = this.#prev ? counterDelta(this.#prev, cur) : null;
    this.#prev = cur;
    if (d && !d.reset) {
      this.#carry.packets += d.rxPackets;
      this.#carry.bytes += d.rxBytes;
    }
    this.#agg.advanceTo(this.#d.now());
    if (this.#emitted.length === 0) return; // the timer fired before the tick ended: counts carry over
    const ticks = this.#emitted.splice(0);
    // A late timer can close several ticks at once: the counted traffic is spread over them.
    const share = { packets: Math.floor(this.#carry.packets / ticks.length), bytes: Math.floor(this.#carry.bytes / ticks.length) };
    ticks.forEach((t, i) => {
      const last = i === ticks.length - 1;
      const counted = {
        packets: last ? this.#carry.packets - share.packets * (ticks.length - 1) : share.packets,
        bytes: last ? this.#carry.bytes - share.bytes * (ticks.length - 1) : share.bytes,
      };
      const seen = this.#sampler.countsFor(t.ts);
      // N as it was: packets seen over packets decoded in this tick (with none decoded, all
      // that were seen stand behind the empty detail).
      t.sampleRate = seen === null ? 1 : seen.taken > 0 ? seen.seen / seen.taken : Math.max(1, seen.seen);
      t.total = { packets: this.#report('packets', counted.packets, t.decoded.packets * t.sampleRate), bytes: this.#report('bytes', counted.bytes, t.decoded.bytes * t.sampleRate) };
      this.#d.onTick(t);
    });
    this.#carry = { packets: 0, bytes: 0 };
  }

  /**
   * Capture timestamps and counter reads are not in lockstep: a packet can be counted by one
   * read and captured in the next tick, or the other way round. Reporting so that the running
   * total is the larger of what the kernel counted and what was captured keeps the sum over
   * time exactly the kernel's, never below what was seen, and each tick off by at most the
   * packets in flight between a read and the capture.
   */
  #report(k: 'packets' | 'bytes', counted: number, captured: number): number {
    const c = this.#cum;
    c.kernel[k] += counted;
    c.captured[k] += captured;
    const target = Math.max(c.kernel[k], c.captured[k], c.reported[k]);
    const total = target - c.reported[k];
    c.reported[k] = target;
    return total;
  }
}
