// Which sample timestamps the server can keep: from the oldest hour the hourly roll-ups
// still retain, to a small clock skew ahead of the server. Anything outside is refused
// with its reason, never acknowledged and dropped.
import type { ServerConfig } from '../../config.ts';

/** How far ahead of the server's clock an agent's sample may be dated (unsynchronised clocks). */
export const FUTURE_SKEW_MS = 5 * 60_000;

export type SampleRefusal = 'older_than_retention' | 'in_the_future';

export interface SampleWindow {
  /** Oldest accepted timestamp (the start of the oldest hour still retained). */
  oldest: number;
  /** Newest accepted timestamp. */
  newest: number;
}

export function sampleWindow(now: number, retention: ServerConfig['retention']): SampleWindow {
  const cutoff = now - retention.hourDays * 86_400_000;
  // A sample in the hour that straddles the cutoff would land in a row about to be deleted.
  const oldest = cutoff - (((cutoff % 3_600_000) + 3_600_000) % 3_600_000) + 3_600_000;
  return { oldest, newest: now + FUTURE_SKEW_MS };
}

export function refusalOf(ts: number, w: SampleWindow): SampleRefusal | null {
  if (ts > w.newest) return 'in_the_future';
  return ts >= w.oldest ? null : 'older_than_retention'; // NaN is refused too
}

export function refusalMessage(reason: SampleRefusal, count: number, w: SampleWindow, retention: ServerConfig['retention']): string {
  const n = `${count} sample${count === 1 ? '' : 's'}`;
  return reason === 'older_than_retention'
    ? `recorded_at: ${n} older than every retention (hourly roll-ups are kept ${retention.hourDays} days; oldest accepted ${new Date(w.oldest).toISOString()})`
    : `recorded_at: ${n} more than ${FUTURE_SKEW_MS / 1000} s ahead of the server's clock (newest accepted ${new Date(w.newest).toISOString()})`;
}
