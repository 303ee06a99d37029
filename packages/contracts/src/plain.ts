// @breakwater/contracts/plain: the contracts' plain values and the schema checker, without TypeBox.
// Everything here is also exported by the index (one declaration each); this entry is for code
// that runs in the agent, which must not load TypeBox (~23 MB resident; a test in apps/agent
// checks its module graph). Types are free: take them from the index with `import type`.
export * from './traffic.ts';
export * from './counter-sample.ts';
export * from './statuses.ts';
export * from './services.ts';
export * from './ip-prefix.ts';
export * from './ip-protocols.ts';
export * from './prometheus.ts';
export * from './flows.ts';
export * from './outbound.ts';
export * from './headers.ts';
export * from './deploy-scopes.ts';
export * from './profile-values.ts';
export * from './http-flood-values.ts';
export * from './fleet-values.ts';
export * from './fleet-command-values.ts';
export * from './schema-check.ts';
export * from './config-problems.ts';
export * from './command-params.generated.ts';
