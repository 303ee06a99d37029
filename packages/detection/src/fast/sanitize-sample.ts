// Counter samples are untrusted input like ticks: anything non-finite, negative or absurd is
// refused or capped, with the same bounds as sanitizeTick.
import type { CounterSample } from '@breakwater/contracts';

const MAX_COUNT = 1e12;

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(v, MAX_COUNT) : 0);

/** The sample with its counts bounded, or undefined when its time is unusable. */
export function sanitizeCounterSample(raw: CounterSample): CounterSample | undefined {
  const { ts, durationMs } = raw ?? {};
  if (typeof ts !== 'number' || !(Math.abs(ts) <= 1e13)) return undefined;
  if (typeof durationMs !== 'number' || !(durationMs > 0 && durationMs <= 3_600_000)) return undefined;
  return { ts, durationMs, packets: count(raw.packets), bytes: count(raw.bytes) };
}
