// Test-only: a server with an enrolled collector in a test namespace, and real flow exporters.
export * from './stack.ts';
export * from './exporters.ts';
export { CollectorMetrics, type CollectorState } from '../collector-metrics.ts';
