// The detection config as data: one JSON Schema (TypeBox) that the engine validates against and the
// server can reuse for its API and OpenAPI document. Every property is optional with a default so a
// partial document (what an operator actually writes) is valid; `resolveConfig` fills the defaults.
// All rates are per second, measured over the sliding window.
import { Type, type Static } from 'typebox';

const dflt = <T>(def: T) => ({ default: def });
const int = (minimum: number, maximum: number, def: number, description: string) =>
  Type.Optional(Type.Integer({ minimum, maximum, ...dflt(def), description }));
const num = (minimum: number, maximum: number, def: number, description: string) =>
  Type.Optional(Type.Number({ minimum, maximum, ...dflt(def), description }));
const bool = (def: boolean, description: string) => Type.Optional(Type.Boolean({ ...dflt(def), description }));

const MAX_RATE = Number.MAX_SAFE_INTEGER;

const thresholdProps = () => ({
    pps: int(1, MAX_RATE, 50_000, 'Packets per second over the window that open an incident.'),
    bps: int(1, MAX_RATE, 1_000_000_000, 'Bits per second over the window that open an incident.'),
    tcpPps: int(0, MAX_RATE, 0, 'TCP packets per second; 0 disables.'),
    udpPps: int(0, MAX_RATE, 0, 'UDP packets per second; 0 disables.'),
    icmpPps: int(0, MAX_RATE, 10_000, 'ICMP packets per second; 0 disables.'),
    synPps: int(0, MAX_RATE, 20_000, 'TCP SYN (without ACK) packets per second; 0 disables.'),
    fragmentPps: int(0, MAX_RATE, 10_000, 'IP fragments per second; 0 disables.'),
});
export const ThresholdsSchema = Type.Object(thresholdProps(), {
  additionalProperties: false,
  default: {},
  description: 'Static thresholds: absolute ceilings that always apply.',
});

const baselineProps = () => ({
    enabled: bool(true, 'Learn a dynamic baseline and lower the pps/bps thresholds to p99 x multiplier.'),
    multiplier: num(1, 1000, 3, 'Dynamic threshold = rolling percentile x multiplier (never above the static one).'),
    percentile: num(50, 100, 99, 'Percentile of the learned one-second samples.'),
    hourOfDay: bool(true, 'Keep 24 hour-of-day buckets so a busy evening does not look like an attack at 4 am.'),
    utcOffsetMinutes: int(-840, 840, 0, 'Offset from UTC that defines the hour-of-day buckets.'),
    bucketCapacity: int(60, 604_800, 7200, 'Samples (one per second) kept per hour bucket: 7200 = the last two days at that hour.'),
    recentCapacity: int(60, 604_800, 3600, 'Samples kept across all hours; used while an hour bucket is still thin.'),
    minBucketSamples: int(1, 604_800, 300, 'Samples an hour bucket needs before it is used instead of the recent pool.'),
    warmupSamples: int(1, 604_800, 900, 'Samples learned in total before the baseline is trusted at all.'),
    floorPps: int(1, MAX_RATE, 1000, 'The dynamic pps threshold never goes below this.'),
    floorBps: int(1, MAX_RATE, 10_000_000, 'The dynamic bps threshold never goes below this.'),
    elevatedMultiplier: num(1, 1000, 1.5, 'Traffic above percentile x this (but below threshold) is "elevated".'),
    elevatedRatioWithoutBaseline: num(0.01, 1, 0.5, 'Before warm-up: traffic above threshold x this is "elevated".'),
});
export const BaselineSchema = Type.Object(baselineProps(), { additionalProperties: false, default: {} });

const hysteresisProps = () => ({
    resolveRatio: num(0.05, 1, 0.7, 'An incident may resolve only once every metric is below threshold x this.'),
    cooldownMs: int(0, 3_600_000, 15_000, 'How long every metric must stay below the resolve level before resolving.'),
    openAfterTicks: int(1, 100, 1, 'Consecutive ticks above threshold before opening; 1 opens on the first.'),
});
export const HysteresisSchema = Type.Object(hysteresisProps(), { additionalProperties: false, default: {} });

export const FastRungSchema = Type.Object(
  {
    windowMs: Type.Integer({ minimum: 5, maximum: 1000, description: 'Length of each short window, ms.' }),
    windows: Type.Integer({ minimum: 1, maximum: 20, description: 'Consecutive windows that must all be above threshold x ratio.' }),
    ratio: Type.Number({ minimum: 1, maximum: 1000, description: 'How far above the threshold each window must be (>= 1: never below the threshold).' }),
  },
  { additionalProperties: false },
);

/** Short windows confirmed over consecutive windows; see packages/detection/README.md "Fast open". */
export const FAST_RUNGS_DEFAULT = [
  { windowMs: 10, windows: 2, ratio: 3 },
  { windowMs: 20, windows: 3, ratio: 1.8 },
  { windowMs: 50, windows: 3, ratio: 1.35 },
  { windowMs: 100, windows: 2, ratio: 1.12 },
];

export const FastOpenSchema = Type.Object(
  {
    enabled: bool(true, 'Open on short-window rates confirmed over consecutive windows, before the one-second window crosses.'),
    rungs: Type.Optional(
      Type.Array(FastRungSchema, {
        default: FAST_RUNGS_DEFAULT,
        maxItems: 16,
        description: 'Each rung opens when each of its `windows` consecutive windows of `windowMs` ran at >= threshold x `ratio` (pps or bps).',
      }),
    ),
  },
  { additionalProperties: false, default: {} },
);

export const ReportingSchema = Type.Object(
  {
    updateIntervalMs: int(500, 3_600_000, 5000, 'Periodic "updated" events while an incident lasts.'),
    peakGrowthRatio: num(1.01, 100, 1.2, 'An update is also sent when a peak grows by this factor since the last one.'),
    topN: int(1, 1000, 10, 'Entries in top sources / top ports lists.'),
  },
  { additionalProperties: false, default: {} },
);

export const SeveritySchema = Type.Object(
  {
    medium: num(1, 1_000_000, 1.5, 'observed / threshold at which severity becomes medium.'),
    high: num(1, 1_000_000, 3, 'observed / threshold at which severity becomes high.'),
    critical: num(1, 1_000_000, 10, 'observed / threshold at which severity becomes critical.'),
  },
  { additionalProperties: false, default: {} },
);

export const AmplificationPortSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    name: Type.String({ pattern: '^[a-z0-9_]{1,32}$', description: 'Subtype prefix, e.g. "quake" gives quake_amplification.' }),
  },
  { additionalProperties: false },
);

export const ClassificationSchema = Type.Object(
  {
    significantShare: num(0.01, 0.5, 0.2, 'Share of the attack (packets or bytes) a vector needs to count; 2+ such vectors = multi_vector.'),
    minDetailPackets: int(1, MAX_RATE, 20, 'Decoded packets the window needs before a verdict other than unknown.'),
    httpPorts: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { default: [80, 443, 8080, 8443], maxItems: 64 }),
    ),
    httpMinSources: int(1, MAX_RATE, 50, 'Distinct sources an established-traffic flood to web ports needs to be http_flood.'),
    httpMinPayloadShare: num(0, 1, 0.1, 'Share of TCP packets carrying requests (PSH) an http_flood needs: bare ACK floods have none.'),
    httpMinPacketsPerSource: num(1, 1000, 1.5, 'Packets per source within a tick an http_flood needs (completed handshakes): forged sources send one each.'),
    spoofTtlEntropyBits: num(1, 8, 6, 'TTL histogram entropy (bits) at or above which TTLs look random, i.e. forged.'),
    spoofMinSources: int(1, MAX_RATE, 1000, 'Distinct sources needed before "many sources, one TTL" counts as spoofing.'),
    spoofSourceRatio: num(0.01, 1, 0.3, 'distinct sources / packets at or above which sources look random.'),
    spoofTtlClusterShare: num(0.5, 1, 0.9, 'Share of packets in the 3 most common TTLs that marks a single origin.'),
    botnetMinSources: int(1, MAX_RATE, 500, 'Distinct real (not spoofed, not reflected) sources that make a direct flood a botnet.'),
    botnetMinTtlValues: int(1, 256, 8, 'Distinct TTL values (>= 0.5% of packets each) a botnet spread over many paths shows.'),
    iocMinPackets: int(1, MAX_RATE, 1, 'Packets matching an IOC pattern before botnet_detected is set.'),
    extraAmplificationPorts: Type.Optional(Type.Array(AmplificationPortSchema, { default: [], maxItems: 256 })),
  },
  { additionalProperties: false, default: {} },
);

// Overrides reuse the same definitions without defaults: an override that names one threshold must
// not silently reset the others to their defaults. Copied with descriptors because TypeBox keeps
// its `~optional` / `~kind` markers as non-enumerable keys.
function withoutDefaults<T>(schema: T): T {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map((s: unknown) => withoutDefaults(s)) as T;
  const out = {};
  for (const key of Reflect.ownKeys(schema)) {
    if (key === 'default') continue;
    const d = Object.getOwnPropertyDescriptor(schema, key);
    if (d !== undefined) Object.defineProperty(out, key, { ...d, value: withoutDefaults(d.value) });
  }
  return out as T;
}

export const HostOverrideSchema = Type.Object(
  {
    match: Type.String({ description: 'Destination IP or prefix (IPv4 or IPv6, e.g. 203.0.113.0/24).' }),
    thresholds: Type.Optional(withoutDefaults(Type.Object(thresholdProps(), { additionalProperties: false }))),
    baseline: Type.Optional(withoutDefaults(Type.Object(baselineProps(), { additionalProperties: false }))),
    hysteresis: Type.Optional(withoutDefaults(Type.Object(hysteresisProps(), { additionalProperties: false }))),
  },
  { additionalProperties: false },
);


export const DetectionConfigSchema = Type.Object(
  {
    windowMs: int(100, 60_000, 1000, 'Length of the sliding window that rates are measured over.'),
    thresholds: Type.Optional(ThresholdsSchema),
    baseline: Type.Optional(BaselineSchema),
    hysteresis: Type.Optional(HysteresisSchema),
    fastOpen: Type.Optional(FastOpenSchema),
    reporting: Type.Optional(ReportingSchema),
    severity: Type.Optional(SeveritySchema),
    classification: Type.Optional(ClassificationSchema),
    overrides: Type.Optional(
      Type.Array(HostOverrideSchema, {
        default: [],
        maxItems: 10_000,
        description: 'Per-host overrides; the most specific prefix containing the engine target wins.',
      }),
    ),
  },
  { additionalProperties: false, $id: 'DetectionConfig' },
);

type DeepRequired<T> = T extends readonly (infer U)[]
  ? DeepRequired<U>[]
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<T[K]> }
    : T;

/** What a caller may pass: any subset of the config. */
export type DetectionConfigInput = Static<typeof DetectionConfigSchema>;
export type HostOverride = Static<typeof HostOverrideSchema>;
export type ThresholdsConfig = DeepRequired<Static<typeof ThresholdsSchema>>;
export type BaselineConfig = DeepRequired<Static<typeof BaselineSchema>>;
export type HysteresisConfig = DeepRequired<Static<typeof HysteresisSchema>>;
export type ClassificationConfig = DeepRequired<Static<typeof ClassificationSchema>>;
/** The resolved config: every default filled in. Overrides stay partial by nature. */
export type DetectionConfig = DeepRequired<Omit<DetectionConfigInput, 'overrides'>> & { overrides: HostOverride[] };
