// Options of an offline analysis, validated once, with errors that name the key. Detection
// parameters go through the detection package's own validator (over the offline defaults below),
// so an analysis accepts exactly the parameters the engine documents.
import { BlockList, isIP } from 'node:net';
import { resolveConfig, type DetectionConfig, type DetectionConfigInput } from '@breakwater/detection';
import type { GeoLookup } from '@breakwater/packets';

export interface AnalyzeOptions {
  /** Protected address(es) or prefix(es); default: chosen from the capture (see README). */
  target?: string | string[];
  /** Auto targets: a destination taking at least this share (0..1] of some second's packets or bytes. */
  targetMinShare?: number;
  /** Auto targets: at most this many, busiest first. */
  maxTargets?: number;
  /** Detection parameters over the offline defaults (same schema as the agent's). */
  detection?: DetectionConfigInput;
  /** Shorthands for detection.thresholds.pps / .bps. */
  ppsThreshold?: number;
  bpsThreshold?: number;
  /** Address → ISO country. Default: the bundled GeoIP database; `false`: no countries. */
  geo?: GeoLookup | false;
  /** Path of another country .mmdb (e.g. a newer ip-location-db release). */
  geoDatabase?: string;
  /** Uplink capacity, for the blackhole recommendation (a peak above 80% of it recommends one). */
  linkBps?: number;
  /** Name shown in the report instead of the path (e.g. an upload's original file name). */
  fileName?: string;
  /** Where a stream is spooled for the second pass (default: the OS temp dir). */
  tmpDir?: string;
}

export interface AnalysisOptionError {
  key: string;
  message: string;
}

export class AnalysisOptionsError extends Error {
  readonly errors: AnalysisOptionError[];
  constructor(errors: AnalysisOptionError[]) {
    super(`invalid analysis options: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'AnalysisOptionsError';
    this.errors = errors;
  }
}

/**
 * Offline defaults. A capture file has no history, so the dynamic baseline (15 minutes of warm-up,
 * learned per hour of day) cannot apply: thresholds are static and lower than the agent's 50 kpps,
 * because a capture is usually short (a 300 ms capture of a 40 kpps flood shows 12 kpps in a 1 s
 * window), often taken on a small host, and was taken because something looked wrong.
 */
export const OFFLINE_DETECTION_DEFAULTS = {
  thresholds: { pps: 5_000, bps: 250_000_000, icmpPps: 2_000, synPps: 2_000, fragmentPps: 2_000 },
  baseline: { enabled: false },
} as const satisfies DetectionConfigInput;

export const DEFAULT_TARGET_MIN_SHARE = 0.1;
export const DEFAULT_MAX_TARGETS = 16;

export interface TargetSpec {
  /** As given: an address or a prefix. */
  text: string;
  /** Set when the spec is one address (fast exact match). */
  address: string | undefined;
  list: BlockList;
}

export interface ResolvedOptions {
  targets: TargetSpec[] | undefined;
  targetMinShare: number;
  maxTargets: number;
  detection: DetectionConfig;
  geo: GeoLookup | false | undefined;
  geoDatabase: string | undefined;
  linkBps: number | undefined;
  fileName: string | undefined;
  tmpDir: string | undefined;
}

const KNOWN = new Set([
  'target', 'targetMinShare', 'maxTargets', 'detection', 'ppsThreshold', 'bpsThreshold', 'geo', 'geoDatabase', 'linkBps', 'fileName', 'tmpDir',
]);

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars of `over` replace. */
function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? merge(b, v) : v;
  }
  return out;
}

export function parseTarget(text: string): TargetSpec | string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return `must be an IPv4/IPv6 address or prefix (e.g. 203.0.113.10 or 203.0.113.0/24), got ${JSON.stringify(text)}`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (slash < 0) {
    list.addAddress(addr, type);
    return { text, address: addr, list };
  }
  const bitsText = text.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^\d{1,3}$/.test(bitsText) || bits > (family === 4 ? 32 : 128)) return `prefix length must be 0..${family === 4 ? 32 : 128}, got ${JSON.stringify(text)}`;
  list.addSubnet(addr, bits, type);
  return { text, address: undefined, list };
}

/** A value as an error message shows it. */
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? (Array.isArray(v) ? 'an array' : 'an object') : String(v));

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= Number.MAX_SAFE_INTEGER;

export function resolveOptions(input: AnalyzeOptions | undefined): ResolvedOptions {
  const o = (input ?? {}) as Plain;
  const errors: AnalysisOptionError[] = [];
  const fail = (key: string, message: string) => errors.push({ key, message: `${key}: ${message}` });
  if (!isPlain(o)) throw new AnalysisOptionsError([{ key: '(options)', message: 'options must be an object' }]);
  for (const k of Object.keys(o)) if (!KNOWN.has(k) && o[k] !== undefined) fail(k, `unknown option (allowed: ${[...KNOWN].join(', ')})`);

  let targets: TargetSpec[] | undefined;
  if (o.target !== undefined) {
    const list = Array.isArray(o.target) ? o.target : [o.target];
    targets = [];
    if (list.length === 0 || list.length > 256) fail('target', `give 1..256 addresses or prefixes, got ${list.length}`);
    list.forEach((t, i) => {
      const key = Array.isArray(o.target) ? `target[${i}]` : 'target';
      if (typeof t !== 'string') return fail(key, `must be a string, got ${typeof t}`);
      const spec = parseTarget(t.trim());
      if (typeof spec === 'string') fail(key, spec);
      else targets!.push(spec);
    });
  }
  let targetMinShare = DEFAULT_TARGET_MIN_SHARE;
  if (o.targetMinShare !== undefined) {
    const v = o.targetMinShare;
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) fail('targetMinShare', `must be a number in (0, 1], got ${show(v)}`);
    else targetMinShare = v;
  }
  let maxTargets = DEFAULT_MAX_TARGETS;
  if (o.maxTargets !== undefined) {
    if (!isPositiveInt(o.maxTargets) || o.maxTargets > 1024) fail('maxTargets', `must be an integer 1..1024, got ${show(o.maxTargets)}`);
    else maxTargets = o.maxTargets;
  }
  for (const key of ['ppsThreshold', 'bpsThreshold', 'linkBps'] as const) {
    if (o[key] !== undefined && !isPositiveInt(o[key])) fail(key, `must be a positive integer, got ${show(o[key])}`);
  }
  if (o.geo !== undefined && o.geo !== false && typeof o.geo !== 'function') fail('geo', 'must be a function (ip) => country code, or false');
  for (const key of ['geoDatabase', 'fileName', 'tmpDir'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') fail(key, `must be a string, got ${typeof o[key]}`);
  }

  let detectionInput: Plain = merge({}, OFFLINE_DETECTION_DEFAULTS);
  if (o.detection !== undefined) {
    if (!isPlain(o.detection)) fail('detection', 'must be an object of detection parameters');
    else detectionInput = merge(detectionInput, o.detection);
  }
  const shorthand: Plain = {};
  if (isPositiveInt(o.ppsThreshold)) shorthand.pps = o.ppsThreshold;
  if (isPositiveInt(o.bpsThreshold)) shorthand.bps = o.bpsThreshold;
  if (Object.keys(shorthand).length > 0) detectionInput = merge(detectionInput, { thresholds: shorthand });
  const resolved = resolveConfig(detectionInput);
  if (!resolved.ok) for (const e of resolved.errors) errors.push({ key: `detection.${e.path}`, message: `detection.${e.message}` });

  if (errors.length > 0 || !resolved.ok) throw new AnalysisOptionsError(errors);
  return {
    targets,
    targetMinShare,
    maxTargets,
    detection: resolved.config,
    geo: o.geo as ResolvedOptions['geo'],
    geoDatabase: o.geoDatabase as string | undefined,
    linkBps: o.linkBps as number | undefined,
    fileName: o.fileName as string | undefined,
    tmpDir: o.tmpDir as string | undefined,
  };
}
