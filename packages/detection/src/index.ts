// @breakwater/detection: the pure detection engine. Ticks in, decisions out. Its config schemas
// (TypeBox) are in @breakwater/detection/schemas: the engine runs in the agent without TypeBox.
export { createDetectionEngine } from './engine.ts';
export type { DetectionEngine, EngineDeps, EngineStatus } from './engine.ts';
export type { DetectionEvent, NodeState, UpdateReason } from './incident/events.ts';
export type { Incident, IncidentThreshold, TrafficSummary } from './incident/incident.ts';
export { toAgentIncident } from './incident/agent-payload.ts';
export { recommendMitigation } from './mitigation/recommend.ts';
export type { RecommendOptions } from './mitigation/recommend.ts';
export type { DetectionConfig, DetectionConfigInput, HostOverride } from './config/schema.ts';
export { resolveConfig, parseConfig, defaultConfig, DetectionConfigError } from './config/validate.ts';
export type { ConfigError, ConfigResult } from './config/validate.ts';
export { configForTarget } from './config/overrides.ts';
export { classify } from './classify/classify.ts';
export type { Classification, ClassifyInput, VectorShare } from './classify/classify.ts';
export { AMPLIFICATION_SERVICES } from './classify/services.ts';
export type { BaselineState, BaselineLevels } from './baseline/hourly-baseline.ts';
export { THRESHOLD_NAMES } from './thresholds/thresholds.ts';
export type { ThresholdName, EffectiveThreshold } from './thresholds/thresholds.ts';
export type { WindowRates } from './window/sliding-window.ts';
export { createHttpFloodEngine } from './http/http-engine.ts';
export type { HttpFloodEngine, HttpEngineStatus, HttpThreshold } from './http/http-engine.ts';
export { parseHttpDetectionConfig } from './http/http-config.ts';
export type { HttpDetectionConfig, HttpDetectionConfigInput } from './http/http-config.ts';
export { HTTP_METRICS } from './http/http-window.ts';
export type { HttpMetric } from './http/http-window.ts';
