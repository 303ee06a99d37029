export * from './adapter.ts';
export * from './rule-key.ts';
export * from './safety.ts';
export * from './registry.ts';
export * from './adapter-types.ts';
export * from './reach.ts';
export { maskAdapterConfig, keepMaskedSecrets, isMask } from './secret-config.ts';
