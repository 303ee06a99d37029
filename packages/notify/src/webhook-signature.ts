// The webhook signature scheme lives in @breakwater/outbound (the mitigation webhook signs the same way).
export { DEFAULT_TOLERANCE_S, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, verifyWebhook, type VerifyFailure } from '@breakwater/outbound';
