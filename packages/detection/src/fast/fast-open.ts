// Fast open: short-window rates confirmed over consecutive windows, so a flood opens an incident
// in tens of milliseconds when it is far above its threshold and within a few hundred when it is
// just above, while a short burst (a TCP window arriving at line rate, a cache fill) does not.
//
// A rung {windowMs: w, windows: n, ratio: q} fires when each of the last n consecutive windows of
// w ms ran at >= q x the threshold: the traffic stayed high for n·w ms, not just in one burst. A
// flood at k x the threshold (k >= q) fires it (n-1)·w + w·q/k ms after its first packet; a burst
// shorter than that, however intense, never does. Short windows need a high ratio (few packets,
// more noise); long ones a ratio just above 1. The engine's one-second window stays underneath:
// anything that carries a whole threshold's worth of packets in a second still opens there.
//
// A rung is judged only on samples about as fine as its windows (duration <= 1.5·w): a 100 ms
// tick cannot tell whether its packets came in 10 ms or spread over all of it. Time no sample
// covers counts as no traffic, as in the one-second window.
import type { CounterSample } from '@breakwater/contracts';

export interface FastRung {
  windowMs: number;
  windows: number;
  ratio: number;
}

export interface FastOpenConfig {
  enabled: boolean;
  rungs: FastRung[];
}

export interface FastHit {
  name: 'pps' | 'bps';
  value: number;
  /** Rate over the rung's whole span (n·w), per second. */
  observed: number;
  rung: FastRung;
}

interface Slice {
  start: number;
  end: number;
  packets: number;
  bits: number;
}

export interface FastOpen {
  /** Adds a sample; one that ends no later than the newest is dropped, an overlap is trimmed. */
  push(sample: CounterSample): void;
  /** The first rung that fires against these thresholds (0 = disabled), largest overshoot first. */
  check(ppsThreshold: number, bpsThreshold: number): FastHit | undefined;
  /** Rates over the last `ms` (per second), or undefined when the samples do not reach back that far. */
  recent(ms: number): { pps: number; bps: number } | undefined;
  end(): number;
  reset(): void;
}

const MAX_SLICES = 4096;

export function createFastOpen(cfg: FastOpenConfig): FastOpen {
  const horizon = Math.max(0, ...cfg.rungs.map((r) => r.windowMs * r.windows));
  let slices: Slice[] = [];

  const newestEnd = () => (slices.length > 0 ? slices[slices.length - 1]!.end : -Infinity);

  /** Packets and bits in [from, to), and the longest slice touching it. */
  const sumOver = (from: number, to: number) => {
    let packets = 0;
    let bits = 0;
    let coarsest = 0;
    for (let i = slices.length - 1; i >= 0; i--) {
      const s = slices[i]!;
      if (s.end <= from) break;
      if (s.start >= to) continue;
      const w = (Math.min(s.end, to) - Math.max(s.start, from)) / (s.end - s.start);
      packets += s.packets * w;
      bits += s.bits * w;
      coarsest = Math.max(coarsest, s.end - s.start);
    }
    return { packets, bits, coarsest };
  };

  /** The lowest per-second rate over the rung's windows, or undefined when the samples are too coarse. */
  const rungFloor = (r: FastRung, now: number) => {
    let pps = Infinity;
    let bps = Infinity;
    for (let i = 0; i < r.windows; i++) {
      const to = now - i * r.windowMs;
      const s = sumOver(to - r.windowMs, to);
      if (s.coarsest === 0 || s.coarsest > 1.5 * r.windowMs) return undefined;
      pps = Math.min(pps, (s.packets * 1000) / r.windowMs);
      bps = Math.min(bps, (s.bits * 1000) / r.windowMs);
    }
    return { pps, bps };
  };

  return {
    push(sample) {
      if (!cfg.enabled) return;
      const prev = newestEnd();
      const end = sample.ts + sample.durationMs;
      if (!(end > prev) || !(sample.durationMs > 0)) return;
      const start = Math.max(sample.ts, prev);
      const keep = (end - start) / sample.durationMs;
      slices.push({ start, end, packets: sample.packets * keep, bits: sample.bytes * 8 * keep });
      const from = end - horizon;
      let drop = 0;
      while (drop < slices.length - 1 && slices[drop]!.end <= from) drop++;
      if (drop > 0 || slices.length > MAX_SLICES) slices = slices.slice(Math.max(drop, slices.length - MAX_SLICES));
    },
    check(ppsThreshold, bpsThreshold) {
      if (!cfg.enabled || slices.length === 0) return undefined;
      const now = newestEnd();
      let best: FastHit | undefined;
      for (const r of cfg.rungs) {
        const floor = rungFloor(r, now);
        if (!floor) continue;
        const span = sumOver(now - r.windowMs * r.windows, now);
        const seconds = (r.windowMs * r.windows) / 1000;
        const candidates: FastHit[] = [];
        if (ppsThreshold > 0 && floor.pps >= ppsThreshold * r.ratio) candidates.push({ name: 'pps', value: ppsThreshold, observed: span.packets / seconds, rung: r });
        if (bpsThreshold > 0 && floor.bps >= bpsThreshold * r.ratio) candidates.push({ name: 'bps', value: bpsThreshold, observed: span.bits / seconds, rung: r });
        for (const c of candidates) if (!best || c.observed / c.value > best.observed / best.value) best = c;
      }
      return best;
    },
    recent(ms) {
      const now = newestEnd();
      if (slices.length === 0 || slices[0]!.start > now - ms) return undefined;
      const s = sumOver(now - ms, now);
      return { pps: (s.packets * 1000) / ms, bps: (s.bits * 1000) / ms };
    },
    end: newestEnd,
    reset() {
      slices = [];
    },
  };
}
