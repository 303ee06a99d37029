// What normal looks like for this target: one-second pps/bps samples kept per hour of day (traffic
// at 21:00 is not traffic at 04:00), plus a pool of the most recent samples across hours that
// stands in while an hour bucket is still thin. Nothing is trusted before the warm-up count.
// The engine decides *when* to learn (never while under attack); this only keeps the samples.
import type { BaselineConfig } from '../config/schema.ts';
import { createPercentileRing, type PercentileRing } from './percentile-ring.ts';

export interface BaselineLevels {
  /** True once warm-up is over and some pool has samples. */
  ready: boolean;
  /** Which pool the levels come from. */
  source: 'hour' | 'recent' | 'none';
  hour: number;
  samples: number;
  ppsPercentile: number;
  bpsPercentile: number;
  ppsMean: number;
  bpsMean: number;
}

export interface BaselineState {
  version: 1;
  learned: number;
  hours: ({ pps: number[]; bps: number[] } | null)[];
  recent: { pps: number[]; bps: number[] };
}

export interface HourlyBaseline {
  learn(ts: number, pps: number, bps: number): void;
  levels(ts: number): BaselineLevels;
  learnedSamples(): number;
  /** Plain data, so an agent can keep its baseline across restarts. */
  exportState(): BaselineState;
}

interface Pool {
  pps: PercentileRing;
  bps: PercentileRing;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function createHourlyBaseline(cfg: BaselineConfig, state?: BaselineState): HourlyBaseline {
  const pool = (capacity: number): Pool => ({ pps: createPercentileRing(capacity), bps: createPercentileRing(capacity) });
  const hours: (Pool | undefined)[] = new Array<Pool | undefined>(24).fill(undefined);
  const recent = pool(cfg.recentCapacity);
  let learned = 0;

  const hourOf = (ts: number): number => {
    if (!cfg.hourOfDay) return 0;
    const local = ts + cfg.utcOffsetMinutes * 60_000;
    return Math.floor((((local % DAY) + DAY) % DAY) / HOUR);
  };
  const add = (p: Pool, pps: number, bps: number) => {
    p.pps.add(pps);
    p.bps.add(bps);
  };

  // A saved state comes back from disk: take only what has the right shape.
  const restore = (p: Pool, saved: { pps?: unknown; bps?: unknown } | null | undefined) => {
    const pps = Array.isArray(saved?.pps) ? (saved.pps as unknown[]) : [];
    const bps = Array.isArray(saved?.bps) ? (saved.bps as unknown[]) : [];
    pps.forEach((v, j) => {
      const b = bps[j];
      if (typeof v === 'number' && Number.isFinite(v) && typeof b === 'number' && Number.isFinite(b)) add(p, v, b);
    });
  };
  if (state?.version === 1) {
    learned = typeof state.learned === 'number' && Number.isFinite(state.learned) ? state.learned : 0;
    (Array.isArray(state.hours) ? state.hours.slice(0, 24) : []).forEach((h, i) => {
      if (!h) return;
      const p = pool(cfg.bucketCapacity);
      restore(p, h);
      hours[i] = p;
    });
    restore(recent, state.recent);
  }

  return {
    learn(ts, pps, bps) {
      if (!Number.isFinite(pps) || !Number.isFinite(bps)) return;
      const h = hourOf(ts);
      const bucket = (hours[h] ??= pool(cfg.bucketCapacity));
      add(bucket, pps, bps);
      add(recent, pps, bps);
      learned++;
    },
    levels(ts) {
      const hour = hourOf(ts);
      const bucket = hours[hour];
      const chosen: { source: 'hour' | 'recent' | 'none'; p?: Pool } =
        bucket && bucket.pps.size() >= cfg.minBucketSamples
          ? { source: 'hour', p: bucket }
          : recent.pps.size() > 0
            ? { source: 'recent', p: recent }
            : { source: 'none' };
      const p = chosen.p;
      return {
        ready: learned >= cfg.warmupSamples && p !== undefined,
        source: chosen.source,
        hour,
        samples: p?.pps.size() ?? 0,
        ppsPercentile: p?.pps.percentile(cfg.percentile) ?? 0,
        bpsPercentile: p?.bps.percentile(cfg.percentile) ?? 0,
        ppsMean: p?.pps.mean() ?? 0,
        bpsMean: p?.bps.mean() ?? 0,
      };
    },
    learnedSamples: () => learned,
    exportState: () => ({
      version: 1,
      learned,
      hours: hours.map((p) => (p ? { pps: p.pps.values(), bps: p.bps.values() } : null)),
      recent: { pps: recent.pps.values(), bps: recent.bps.values() },
    }),
  };
}
