// One interface for every cloud scrubbing integration. The server owns the stored diversion (who
// enabled it, why, until when); a provider only drives its provider's public API to match it and
// reports what the provider has now. Providers that offer no diversion switch do the nearest action
// they document and say so in `capabilities` (diverts: false, mechanism, action).
import type { OutboundReach, ScrubbingCapabilities, ScrubbingStatus, ScrubbingTestResult, ScrubbingType } from '@breakwater/contracts';
import type { FetchLike, Resolver } from '@breakwater/outbound';

export interface ScrubbingDeps {
  /** ms since the epoch: every time a provider computes (propagation windows, signatures) comes from here. */
  now: () => number;
  /** undici's fetch unless a test wraps one. */
  fetch?: FetchLike;
  /** Non-public ranges this integration may reach (the operator's outbound config for its type); none by default. */
  reach?: readonly OutboundReach[];
  /** DNS for outbound calls (tests answer names themselves); the system resolver by default. */
  resolve?: Resolver;
  /** Deadline for one HTTP request, ms. */
  timeoutMs: number;
  /**
   * A 429 whose Retry-After is at most this many ms is waited out and the request sent again (once
   * per request, at most `maxRetries` times); a longer one fails with kind rate_limited and
   * retryAfterMs, for the caller to schedule. Default 10 s.
   */
  maxRetryAfterMs?: number;
  /** How many 429s one request may wait out (default 2). */
  maxRetries?: number;
  /** Waits ms (a test passes one that records the wait and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  /** Never given a secret: providers log method, path (secrets redacted), status and latency only. */
  log?: (msg: string, detail?: Record<string, unknown>) => void;
}

export interface ScrubbingProvider {
  readonly type: ScrubbingType;
  readonly capabilities: ScrubbingCapabilities;
  /**
   * The target of this integration that covers an attacked address (the onboarded prefix holding
   * it, the IP itself when the config lists its block, the zone when it serves that origin), or null
   * when this integration does not cover it. A target maps to itself. Pure: no I/O.
   */
  targetFor(address: string): string | null;
  /** Every target the config names (what reconciliation asks status() about). Pure. */
  targets(): string[];
  /** Reachability and authentication, with the round-trip time. Never throws. */
  test(): Promise<ScrubbingTestResult>;
  /** The provider's state for one target. Throws ScrubbingError when it cannot be asked. */
  status(target: string): Promise<ScrubbingStatus>;
  /**
   * Starts diverting `target` (idempotent: enabling what is on already succeeds and changes nothing).
   * `reason` goes where the provider keeps a note (a rule description), `idempotencyKey` where it
   * accepts one; both are plain text chosen by the server. Returns the state right after the call.
   */
  enable(target: string, reason: string, idempotencyKey: string): Promise<ScrubbingStatus>;
  /** Returns `target`'s traffic to its direct path (idempotent: disabling what is off succeeds). */
  disable(target: string, idempotencyKey: string): Promise<ScrubbingStatus>;
}

/** Checks the config (throws ScrubbingError kind config naming the key); does no I/O. */
export type ScrubbingFactory = (config: unknown, deps: ScrubbingDeps) => ScrubbingProvider;
