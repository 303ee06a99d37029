// Time a fake provider and the code under test share: it starts at the real now and moves only
// when a test says, so "Cloudflare takes 15 minutes" is 15 minutes of this clock, not of the wall.
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}
