export { createWebhookAdapter } from './webhook.ts';
export { sign as signMitigationWebhook, verify as verifyMitigationWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';
