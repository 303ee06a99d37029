// Drives an engine as the agent does: a counter sample every ~10 ms and a 100 ms detail tick, both
// from one rate function, on simulated time.
import type { DetectionEngine } from '../engine.ts';
import type { DetectionEvent } from '../incident/events.ts';
import { makeTick, type Mix } from './tick-factory.ts';

/** Traffic as a rate (pps) at each instant; `size` bytes per packet. */
export type Rate = (t: number) => number;

/**
 * Feeds [from, to) to the engine: a counter sample every `sampleMs()` ms and a detail tick every
 * 100 ms, both from the same rate function (packets integrated per ms). Returns the events with the
 * time they came at.
 */
export function drive(engine: DetectionEngine, from: number, to: number, rate: Rate, mixAt: Mix | ((t: number) => Mix), sampleMs: () => number = () => 10) {
  const mixOf = (t: number) => (typeof mixAt === 'function' ? mixAt(t) : mixAt);
  const out: { at: number; e: DetectionEvent }[] = [];
  const packetsIn = (a: number, b: number) => {
    let p = 0;
    for (let t = a; t < b; t += 1) p += rate(t) / 1000;
    return p;
  };
  let nextTick = from + 100;
  let tickStart = from;
  for (let t = from; t < to; ) {
    const end = Math.min(to, t + sampleMs());
    const packets = Math.round(packetsIn(t, end));
    for (const e of engine.ingestCounters({ ts: t, durationMs: end - t, packets, bytes: packets * (mixOf(t).size ?? 500) })) out.push({ at: end, e });
    t = end;
    if (t >= nextTick) {
      const pps = (packetsIn(tickStart, nextTick) * 1000) / (nextTick - tickStart);
      for (const e of engine.ingest(makeTick(tickStart, { ...mixOf(tickStart), pps }, nextTick - tickStart))) out.push({ at: nextTick, e });
      tickStart = nextTick;
      nextTick += 100;
    }
  }
  return out;
}

export const opened = (events: { at: number; e: DetectionEvent }[]) => events.filter((x) => x.e.type === 'incident.opened');
