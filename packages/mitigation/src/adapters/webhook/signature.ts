// HMAC-SHA256 request signing for the mitigation webhook: the one scheme of @breakwater/outbound
// (the notification webhook signs the same way), with the mitigation webhook's boolean verify.
import { DEFAULT_TOLERANCE_S, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, verifyWebhook } from '@breakwater/outbound';

export { SIGNATURE_HEADER, TIMESTAMP_HEADER };
export const TOLERANCE_S = DEFAULT_TOLERANCE_S;

export function sign(secret: string, timestamp: number, rawBody: string): string {
  return signWebhook(secret, timestamp, rawBody);
}

/** What a receiver runs: the signature must match and the timestamp be within TOLERANCE_S of now. */
export function verify(secret: string, rawBody: string, signature: string | undefined, timestamp: string | undefined, nowMs: number): boolean {
  return verifyWebhook(secret, rawBody, { signature, timestamp }, nowMs, TOLERANCE_S).ok;
}
