export * from './adapter.ts';
export * from './rule-key.ts';
