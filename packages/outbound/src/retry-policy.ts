// When to try again after a failed outbound call: exponential from a base, capped, with jitter so
// the retries of many messages or rules do not arrive in lockstep. One function for every caller
// (notification outbox, mitigation retries, and the scrubbing and runbook calls to come).

export interface RetryPolicy {
  /** Delay before the second attempt, ms. */
  baseMs: number;
  /** The delay never grows past this (before jitter), ms. */
  maxMs: number;
  /** Growth per attempt; 2 by default, 1 for a constant delay. */
  factor?: number;
  /** Share of the delay added or taken at random (0.2: ±20 %); 0.2 by default, 0 for none. */
  jitter?: number;
}

/** Delay after the `attempt`-th failed attempt (1 for the first), ms. `random` returns [0, 1). */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const factor = policy.factor ?? 2;
  const jitter = policy.jitter ?? 0.2;
  const exp = Math.min(policy.maxMs, policy.baseMs * factor ** Math.max(0, attempt - 1));
  return Math.round(exp * (1 - jitter + 2 * jitter * random()));
}
