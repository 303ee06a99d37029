// @breakwater/collector: `breakwater collector enroll|run`.
export { COLLECTOR_DEFAULTS, CollectorConfigError, CollectorConfigSchema, loadCollectorConfig, validateCollectorConfig, writeCollectorConfig, type CollectorConfig } from './collector-config.ts';
export { createCollector, type Collector, type CollectorDeps } from './collector.ts';
export { enrollCollector, type CollectorEnrollOptions } from './enroll.ts';
