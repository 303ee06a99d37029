// HMAC-SHA256 request signing, one scheme for the notification webhook and the mitigation webhook.
// The signed material is `${timestamp}.${rawBody}`: the X-Breakwater-Timestamp value (unix
// seconds, decimal), one ".", then the body bytes exactly as sent, so a captured request cannot be
// replayed later under a fresh timestamp.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-breakwater-signature';
export const TIMESTAMP_HEADER = 'x-breakwater-timestamp';
export const DEFAULT_TOLERANCE_S = 300;

export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type VerifyFailure = 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature';

/** What a receiver runs (also reference code for other languages: see README). */
export function verifyWebhook(
  secret: string,
  rawBody: string | Buffer,
  headers: { signature: string | undefined | null; timestamp: string | undefined | null },
  nowMs: number,
  toleranceS = DEFAULT_TOLERANCE_S,
): { ok: true } | { ok: false; reason: VerifyFailure } {
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const ts = Number(headers.timestamp);
  if (Math.abs(nowMs / 1000 - ts) > toleranceS) return { ok: false, reason: 'stale' };
  const want = Buffer.from(signWebhook(secret, ts, rawBody));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
