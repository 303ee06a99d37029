// Which captured packets get decoded for detail. Below what the agent can decode within its
// budget, all of them; above, 1 in N, with N chosen at each tick boundary from the measured
// arrival rate and decode cost, and raised at once when the capture pipe falls behind. Totals
// never depend on this (they come from kernel counters); the detail of a tick says how many
// packets it saw and how many it decoded, and the detection engine scales detail by the ratio.
// "Falling behind" is read from the event loop's utilisation: a loop busy all the time means
// the pipe from tcpdump is filling. (Not from the age of the packets read: on a quiet link
// libpcap hands them over in batches up to a second old, which is no backlog at all.)

export interface AdaptiveSamplerOptions {
  tickMs: number;
  /** Share of one core that decoding may take (default 0.25). */
  budget?: number;
  /** Largest N (default 1024). */
  maxRate?: number;
  /** An event loop busier than this (0..1) means capture is falling behind (default 0.9). */
  maxLoad?: number;
  /** After raising N for load, wait this long before raising it again (default 250 ms). */
  loadHoldMs?: number;
  /** Seed of the skip generator. */
  seed?: number;
}

interface TickCount {
  seen: number;
  taken: number;
}

/** Weight of the newest tick in the packet-rate average. */
const ALPHA = 0.3;
/** Decode cost is timed on one sampled decode in this many. */
export const COST_PROBE_EVERY = 64;

export class AdaptiveSampler {
  readonly #tickMs: number;
  readonly #budget: number;
  readonly #maxRate: number;
  readonly #maxLoad: number;
  readonly #loadHoldMs: number;
  #rate = 1;
  #countdown = 1;
  #tick = Number.NaN;
  #cur: TickCount = { seen: 0, taken: 0 };
  /** Closed ticks' counts until the tick loop asks for them (ticks close on the capture's clock). */
  readonly #done = new Map<number, TickCount>();
  /** Packets per second seen (EWMA), and the last probes' ms per decode. */
  #pps = 0;
  readonly #costs = new Float64Array(16);
  #costCount = 0;
  #probe = 0;
  #load = 0;
  #lastBump = Number.NEGATIVE_INFINITY;
  /** xorshift32 state: skips are random so periodic traffic cannot alias with the sample. */
  #seed: number;

  constructor(o: AdaptiveSamplerOptions) {
    this.#tickMs = o.tickMs;
    this.#budget = o.budget ?? 0.25;
    this.#maxRate = o.maxRate ?? 1024;
    this.#maxLoad = o.maxLoad ?? 0.9;
    this.#loadHoldMs = o.loadHoldMs ?? 250;
    this.#seed = o.seed ?? 0x9e3779b9;
  }

  /** The current N (1: every packet decoded). */
  get rate(): number {
    return this.#rate;
  }

  /** The event loop's utilisation last reported (0..1). */
  get load(): number {
    return this.#load;
  }

  /** Counts one captured packet; true when it should be decoded. N changes only between ticks. */
  take(tsMs: number): boolean {
    const tick = tsMs - (tsMs % this.#tickMs);
    if (tick !== this.#tick && tick > this.#tick) this.#roll(tick);
    else if (Number.isNaN(this.#tick)) this.#tick = tick;
    this.#cur.seen++;
    if (--this.#countdown > 0) return false;
    // The next skip is uniform in 1..2N-1 (mean N). A fixed skip of N would see only some
    // positions of traffic that repeats with a period sharing a factor with N.
    this.#countdown = this.#rate === 1 ? 1 : 1 + (this.#next() % (2 * this.#rate - 1));
    this.#cur.taken++;
    return true;
  }

  #next(): number {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed;
  }

  /** Whether this decode should be timed (one in COST_PROBE_EVERY). */
  probe(): boolean {
    if (++this.#probe < COST_PROBE_EVERY) return false;
    this.#probe = 0;
    return true;
  }

  /** A timed decode's cost. */
  cost(ms: number): void {
    this.#costs[this.#costCount++ % this.#costs.length] = ms;
  }

  /** The median of the recent probes: one decode caught by a GC pause must not double N. */
  #medianCost(): number {
    const n = Math.min(this.#costCount, this.#costs.length);
    if (n === 0) return Number.NaN;
    const sorted = this.#costs.slice(0, n).sort();
    return sorted[n >> 1]!;
  }

  /** The event loop's utilisation over the last tick (0..1). */
  reportLoad(elu: number): void {
    this.#load = elu;
  }

  /** Seen and decoded packets of the tick starting at `ts` (forgotten once read). */
  countsFor(ts: number): TickCount | null {
    if (ts === this.#tick) return this.#cur.seen > 0 ? { ...this.#cur } : null;
    const c = this.#done.get(ts) ?? null;
    this.#done.delete(ts);
    // anything older was never asked for (a gap in the tick loop): do not keep it forever
    for (const k of this.#done.keys()) if (k < ts) this.#done.delete(k);
    return c;
  }

  #roll(tick: number): void {
    if (!Number.isNaN(this.#tick)) {
      this.#done.set(this.#tick, this.#cur);
      const pps = (this.#cur.seen * 1000) / this.#tickMs;
      this.#pps += ALPHA * (pps - this.#pps);
      this.#rate = this.#choose();
      this.#countdown = Math.min(this.#countdown, this.#rate);
    }
    this.#tick = tick;
    this.#cur = { seen: 0, taken: 0 };
  }

  #choose(): number {
    const cost = this.#medianCost();
    const needed = Number.isNaN(cost) ? 1 : Math.ceil((this.#pps * cost) / (1000 * this.#budget));
    // Falling behind: halve the decode work, whatever the estimates say — but give each halving
    // time to show before halving again, or N would race to its maximum while the backlog drains.
    const busy = this.#load > this.#maxLoad;
    if (busy && this.#tick - this.#lastBump >= this.#loadHoldMs) {
      this.#lastBump = this.#tick;
      return Math.min(this.#maxRate, Math.max(needed, this.#rate * 2));
    }
    if (busy) return Math.max(this.#rate, Math.min(this.#maxRate, needed));
    return Math.max(1, Math.min(this.#maxRate, needed));
  }
}
