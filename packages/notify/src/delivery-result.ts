import { REASON_MAX, redact, sanitiseReason } from '@breakwater/outbound';

/**
 * What one delivery attempt came to. The outbox decides from this alone:
 * `delivered` → done; `retryable` → try again (not before `retry_after_ms` when set);
 * `permanent` → give up and show `message` to the operator (fix the config or the channel).
 */
export type DeliveryOutcome = 'delivered' | 'retryable' | 'permanent';

export type FailureReason =
  /** 5xx, or an SMTP 4xx reply. */
  | 'server_error'
  /** 429 (or the provider's own rate-limit reply); `retry_after_ms` when the provider said. */
  | 'rate_limited'
  /** No answer within the channel's deadline. */
  | 'timeout'
  /** Connection refused/reset, DNS, TLS: nothing reached the provider, or we cannot know. */
  | 'network'
  /** 401/403, SMTP 535: the credential is wrong or revoked. */
  | 'unauthorized'
  /** Other 4xx, SMTP 5xx: the provider refused this request as it is. */
  | 'rejected'
  /** The channel's config cannot work (caught before any request). */
  | 'bad_config';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** Set unless outcome is delivered. */
  reason: FailureReason | null;
  /** HTTP status, or SMTP reply code; null when there was no reply. */
  status: number | null;
  /** Only on rate_limited/server_error replies that said when to come back. */
  retry_after_ms: number | null;
  /** One line for people; secrets removed. */
  message: string;
  /** The provider's short reason (an error field of its reply, an SMTP reply line; ≤ 120 printable chars), secrets removed; never the body. */
  excerpt: string;
  /** The provider's id for what was created, when it returns one (PagerDuty dedup_key, Opsgenie requestId, SMTP Message-ID…). */
  provider_ref: string | null;
  /** For channels with several recipients (sms, email): who got it on this attempt. */
  delivered_to?: string[];
  duration_ms: number;
}

export { redact };

export const EXCERPT_MAX = REASON_MAX;

/** One line of printable text, secrets removed, at most EXCERPT_MAX characters (an SMTP reply line, not a body). */
export function excerptOf(text: string, secrets: readonly string[]): string {
  return sanitiseReason(text, secrets);
}

/**
 * Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns ms from `now`, or null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value == null) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The HTTP family's rule: 2xx delivered; 408/429/5xx retry; any other 4xx (and 3xx: webhooks do not redirect) gives up. */
export function outcomeOfStatus(status: number): { outcome: DeliveryOutcome; reason: FailureReason | null } {
  if (status >= 200 && status < 300) return { outcome: 'delivered', reason: null };
  if (status === 429) return { outcome: 'retryable', reason: 'rate_limited' };
  if (status === 408) return { outcome: 'retryable', reason: 'timeout' };
  if (status >= 500) return { outcome: 'retryable', reason: 'server_error' };
  if (status === 401 || status === 403) return { outcome: 'permanent', reason: 'unauthorized' };
  return { outcome: 'permanent', reason: 'rejected' };
}

export function badConfig(message: string, durationMs = 0): DeliveryResult {
  return { outcome: 'permanent', reason: 'bad_config', status: null, retry_after_ms: null, message, excerpt: '', provider_ref: null, duration_ms: durationMs };
}
