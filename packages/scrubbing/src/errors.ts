// Every provider failure is one ScrubbingError: a kind (contracts' SCRUBBING_ERROR_KINDS) the server
// maps to one envelope, a message already sanitised (no secret, never the provider's body — only its
// status and at most a short error field), and what the caller needs to retry.
import type { ScrubbingErrorKind, ScrubbingHealth } from '@breakwater/contracts';

export class ScrubbingError extends Error {
  readonly kind: ScrubbingErrorKind;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** The config key a `config` error is about ("config.zone_id", "target"): the API answers 400 naming it. */
  readonly key: string | undefined;
  /** The provider's HTTP status, when it answered. */
  readonly status: number | undefined;
  /** For rate_limited: when the provider said to come back (its Retry-After), ms. */
  readonly retryAfterMs: number | undefined;
  constructor(kind: ScrubbingErrorKind, message: string, extra: { key?: string; status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'ScrubbingError';
    this.kind = kind;
    this.retryable = kind === 'rate_limited' || kind === 'timeout' || kind === 'unreachable' || kind === 'provider';
    this.key = extra.key;
    this.status = extra.status;
    this.retryAfterMs = extra.retryAfterMs;
  }

  /** A setting is wrong: "key: what is allowed". */
  static config(key: string, what: string): ScrubbingError {
    return new ScrubbingError('config', `${key}: ${what}`, { key });
  }

  /** The error code the API shows for it. */
  get code(): string {
    return `scrubbing_${this.kind}`;
  }
}

/** The connection health a failure says (ok when the call succeeded). */
export function healthOf(err: unknown): ScrubbingHealth {
  if (!(err instanceof ScrubbingError)) return 'error';
  switch (err.kind) {
    case 'auth': return 'auth_failed';
    case 'rate_limited': return 'rate_limited';
    case 'timeout':
    case 'unreachable': return 'unreachable';
    default: return 'error';
  }
}
