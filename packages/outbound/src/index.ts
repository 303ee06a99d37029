export * from './address-class.ts';
export * from './policy.ts';
export * from './http-client.ts';
export * from './capped-read.ts';
export * from './redact.ts';
export * from './reply-reason.ts';
export * from './signing.ts';
export * from './retry-policy.ts';
