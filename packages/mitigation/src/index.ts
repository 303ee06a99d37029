export * from './adapter.ts';
export * from './rule-key.ts';
export * from './prefix.ts';
export * from './safety.ts';
export * from './registry.ts';
