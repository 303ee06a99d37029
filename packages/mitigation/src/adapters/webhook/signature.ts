// HMAC-SHA256 request signing for the mitigation webhook. The signed material is
// `${timestamp}.${rawBody}`: the X-Breakwater-Timestamp value (unix seconds), one ".", then the body
// bytes exactly as sent, so a captured request cannot be replayed later under a fresh timestamp.
// Same scheme as the notification webhook; written here because mitigation must not import notify.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-breakwater-signature';
export const TIMESTAMP_HEADER = 'x-breakwater-timestamp';
export const TOLERANCE_S = 300;

export function sign(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** What a receiver runs: the signature must match and the timestamp be within TOLERANCE_S of now. */
export function verify(secret: string, rawBody: string, signature: string | undefined, timestamp: string | undefined, nowMs: number): boolean {
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowMs / 1000 - ts) > TOLERANCE_S) return false;
  const want = Buffer.from(sign(secret, ts, rawBody));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
