// The sliding window: rates over the last `windowMs` of ticks, recomputed on every tick so an
// attack is seen on the very tick the window crosses a threshold.
//
// Time not covered by any tick (a gap, or the first second after start) counts as zero traffic:
// extrapolating from the covered part would turn one noisy 100 ms tick into a 10x rate. A tick
// longer than the window (a flow collector's 5 s export) is spread evenly over its duration, and a
// tick straddling the window start contributes the part inside.
import type { TickStats } from '@breakwater/contracts';
import { addTick, emptyDetail, type TrafficDetail } from './traffic-detail.ts';
import { detailScale } from './sanitize-tick.ts';

/** Per-second rates over the window; protocol figures are estimates scaled from decoded detail. */
export interface WindowRates {
  pps: number;
  bps: number;
  tcpPps: number;
  udpPps: number;
  icmpPps: number;
  synPps: number;
  fragmentPps: number;
}

export const RATE_KEYS = ['pps', 'bps', 'tcpPps', 'udpPps', 'icmpPps', 'synPps', 'fragmentPps'] as const;

interface Entry {
  start: number;
  end: number;
  tick: TickStats;
  /** Counts over the whole tick, in the units of WindowRates (bps holds bits). */
  sums: WindowRates;
}

export type PushResult = 'accepted' | 'dropped' | 'reset';

export interface SlidingWindow {
  /** Adds a sanitized tick. Starting no later than the newest one, by up to `resetAfterMs`:
   * dropped as a duplicate or out of order; older still: the source's clock stepped back, so the
   * window starts over. */
  push(tick: TickStats): PushResult;
  /** Moves the window end forward without a tick (the source went quiet). */
  advance(now: number): void;
  /** End of the window: the newest tick's end, or the last advance. */
  end(): number;
  rates(): WindowRates;
  /** The packet detail of the window, or of only what it holds from `from` on (ticks weighted by their overlap). */
  detail(from?: number): TrafficDetail;
  /** How much of the window ticks actually cover, 0..1. */
  coverage(): number;
}

function sumsOf(t: TickStats): WindowRates {
  const k = detailScale(t);
  return {
    pps: t.total.packets,
    bps: t.total.bytes * 8,
    tcpPps: t.byProtocol.tcp.packets * k,
    udpPps: t.byProtocol.udp.packets * k,
    icmpPps: t.byProtocol.icmp.packets * k,
    synPps: t.tcpFlags.syn * k,
    fragmentPps: t.fragments.packets * k,
  };
}

export function createSlidingWindow(opts: { windowMs: number; resetAfterMs?: number }): SlidingWindow {
  const { windowMs } = opts;
  const resetAfterMs = opts.resetAfterMs ?? 2 * windowMs;
  let entries: Entry[] = [];
  let windowEnd = -Infinity;
  let newestStart = -Infinity;

  const weight = (e: Entry): number => {
    const from = Math.max(e.start, windowEnd - windowMs);
    const to = Math.min(e.end, windowEnd);
    return to <= from ? 0 : (to - from) / (e.end - e.start);
  };
  const evict = () => {
    const start = windowEnd - windowMs;
    entries = entries.filter((e) => e.end > start);
  };

  return {
    push(tick) {
      if (tick.ts <= newestStart) {
        if (newestStart - tick.ts <= resetAfterMs) return 'dropped';
        entries = [];
        windowEnd = -Infinity;
        newestStart = tick.ts;
        entries.push({ start: tick.ts, end: tick.ts + tick.durationMs, tick, sums: sumsOf(tick) });
        windowEnd = tick.ts + tick.durationMs;
        return 'reset';
      }
      newestStart = tick.ts;
      entries.push({ start: tick.ts, end: tick.ts + tick.durationMs, tick, sums: sumsOf(tick) });
      windowEnd = Math.max(windowEnd, tick.ts + tick.durationMs);
      evict();
      return 'accepted';
    },
    advance(now) {
      if (now > windowEnd) {
        windowEnd = now;
        evict();
      }
    },
    end: () => windowEnd,
    rates() {
      const r: WindowRates = { pps: 0, bps: 0, tcpPps: 0, udpPps: 0, icmpPps: 0, synPps: 0, fragmentPps: 0 };
      const perSecond = 1000 / windowMs;
      for (const e of entries) {
        const w = weight(e) * perSecond;
        if (w === 0) continue;
        for (const key of RATE_KEYS) r[key] += e.sums[key] * w;
      }
      return r;
    },
    detail(from = -Infinity) {
      const d = emptyDetail();
      for (const e of entries) {
        let w = weight(e);
        if (w > 0 && e.start < from) w = Math.min(w, Math.max(0, e.end - from) / (e.end - e.start));
        if (w > 0) addTick(d, e.tick, w);
      }
      return d;
    },
    coverage() {
      let covered = 0;
      for (const e of entries) covered += weight(e) * (e.end - e.start);
      return Math.min(1, covered / windowMs);
    },
  };
}
