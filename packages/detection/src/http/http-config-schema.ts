// The HTTP side of the engine's config as a TypeBox schema: the one declaration. The engine checks
// it against the plain copy in http-config-schema.generated.ts (no TypeBox where the engine runs
// in the agent; apps/agent/scripts/plain-schemas.ts writes it and a test checks it is current).
import { Type } from 'typebox';

const MAX = Number.MAX_SAFE_INTEGER;
const int = (minimum: number, maximum: number, d: number, description: string) => Type.Optional(Type.Integer({ minimum, maximum, default: d, description }));
const num = (minimum: number, maximum: number, d: number, description: string) => Type.Optional(Type.Number({ minimum, maximum, default: d, description }));

export const HttpThresholdsSchema = Type.Object({
  rps: int(0, MAX, 2000, 'Requests per second (all sources); 0 disables.'),
  postRps: int(0, MAX, 500, 'POST requests per second; 0 disables.'),
  sourceRps: int(0, MAX, 200, 'Requests per second from one source address; 0 disables.'),
  uriRps: int(0, MAX, 500, 'Requests per second to one path (query string left out); 0 disables.'),
  novelQueryRps: int(0, MAX, 200, 'Requests per second with a query string not seen before (cache busting); 0 disables.'),
  loginFailureRps: int(0, MAX, 10, 'Failed logins per second (401/403 on a login path, or its form again after a POST); 0 disables.'),
  openConnections: int(0, MAX, 2000, 'Open TCP connections to the web ports (socket table); 0 disables.'),
  sourceConnections: int(0, MAX, 200, 'Open TCP connections from one source to the web ports; 0 disables.'),
}, { additionalProperties: false, default: {} });

export const HttpBaselineSchema = Type.Object({
  enabled: Type.Optional(Type.Boolean({ default: true, description: 'Learn p99 levels and lower the rate thresholds to p99 x multiplier (never above the static ones).' })),
  multiplier: num(1, 1000, 4, 'Dynamic threshold = learned percentile x multiplier.'),
  percentile: num(50, 100, 99, 'Percentile of the learned one-second values.'),
  capacity: int(60, 604_800, 3600, 'One-second values kept per metric.'),
  warmupSamples: int(1, 604_800, 900, 'Values learned before the dynamic levels are trusted.'),
  floorRps: int(1, MAX, 100, 'A dynamic request-rate threshold never goes below this.'),
  floorConnections: int(1, MAX, 200, 'A dynamic open-connection threshold never goes below this.'),
}, { additionalProperties: false, default: {} });

export const HttpDetectionConfigSchema = Type.Object({
  windowMs: int(250, 60_000, 1000, 'Sliding window the rates are measured over.'),
  thresholds: Type.Optional(HttpThresholdsSchema),
  baseline: Type.Optional(HttpBaselineSchema),
  resolveRatio: num(0.05, 1, 0.7, 'Resolve only once every metric is below threshold x this...'),
  cooldownMs: int(0, 3_600_000, 15_000, '...for this long without interruption.'),
  updateIntervalMs: int(500, 3_600_000, 5000, 'Periodic updates while an incident lasts.'),
  topN: int(1, 100, 10, 'Entries in the top sources / URIs / user agents lists.'),
  severity: Type.Optional(Type.Object({
    medium: num(1, 1_000_000, 1.5, 'observed / threshold for medium.'),
    high: num(1, 1_000_000, 3, 'observed / threshold for high.'),
    critical: num(1, 1_000_000, 10, 'observed / threshold for critical.'),
  }, { additionalProperties: false, default: {} })),
}, { additionalProperties: false, default: {} });
