export * from './backends.ts';
export * from './postgres.ts';
export * from './wait.ts';
export * from './netns.ts';
export * from './bgp/index.ts';
export * from './promtool.ts';
export * from './sse.ts';
