// Fixed one-minute windows per credential, with the usual X-RateLimit-* headers.
// In memory: each server replica limits the traffic it sees.
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  take(key: string, limit: number, now: number): RateDecision {
    const windowStart = now - (now % 60_000);
    let w = this.#windows.get(key);
    if (!w || w.start !== windowStart) {
      if (this.#windows.size > 100_000) this.#prune(windowStart);
      w = { start: windowStart, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
    const resetSeconds = Math.ceil((windowStart + 60_000 - now) / 1000);
    return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), resetSeconds };
  }

  #prune(current: number): void {
    for (const [k, w] of this.#windows) if (w.start !== current) this.#windows.delete(k);
  }
}
