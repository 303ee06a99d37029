// Test kit for outbound callers: the recording HTTP fake and helpers for provider specs.
export * from './http-fake.ts';
export * from './checked-spec.ts';
export * from './expect.ts';
export * from './clock.ts';
export * from './cloudflare-fake.ts';
