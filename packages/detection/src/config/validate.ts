// Validates a config document against DetectionConfigSchema and fills its defaults in one walk, so
// the schema the server publishes and the rules the engine enforces cannot drift apart. Only the
// JSON Schema subset the schema uses is interpreted. Messages name the parameter path and what is
// allowed, e.g. `thresholds.pps: must be an integer >= 1, got -3`.
import { DetectionConfigSchema, type DetectionConfig } from './schema.ts';
import { parsePrefix } from '@breakwater/contracts';

export interface ConfigError {
  /** Parameter path, e.g. `thresholds.pps` or `overrides[2].match`. */
  path: string;
  /** The full sentence, path included. */
  message: string;
}

export type ConfigResult = { ok: true; config: DetectionConfig } | { ok: false; errors: ConfigError[] };

export class DetectionConfigError extends Error {
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super(`invalid detection config: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'DetectionConfigError';
    this.errors = errors;
  }
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  items?: SchemaNode;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
};

const rangeText = (node: SchemaNode): string => {
  const { minimum: min, maximum: max } = node;
  if (min !== undefined && max !== undefined && max < Number.MAX_SAFE_INTEGER) return `between ${min} and ${max}`;
  if (min !== undefined) return `>= ${min}`;
  if (max !== undefined) return `<= ${max}`;
  return '';
};

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function walk(node: SchemaNode, value: unknown, path: string, errors: ConfigError[]): unknown {
  const fail = (problem: string) => {
    errors.push({ path, message: `${path || '(config)'}: ${problem}, got ${describe(value)}` });
    return undefined;
  };
  if (value === undefined && node.default !== undefined) value = structuredClone(node.default);
  switch (node.type) {
    case 'object': {
      if (value === undefined) return undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('must be an object');
      const input = value as Record<string, unknown>;
      const props = node.properties ?? {};
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!(key in props) && node.additionalProperties === false) {
          const at = join(path, key);
          errors.push({ path: at, message: `${at}: unknown parameter (allowed: ${Object.keys(props).join(', ')})` });
        }
      }
      for (const [key, child] of Object.entries(props)) {
        const at = join(path, key);
        if (input[key] === undefined && child.default === undefined) {
          if (node.required?.includes(key)) errors.push({ path: at, message: `${at}: is required` });
          continue;
        }
        const v = walk(child, input[key], at, errors);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    case 'array': {
      if (value === undefined) return undefined;
      if (!Array.isArray(value)) return fail('must be an array');
      if (node.maxItems !== undefined && value.length > node.maxItems) return fail(`must have at most ${node.maxItems} items`);
      return value.map((item, i) => (node.items ? walk(node.items, item, `${path}[${i}]`, errors) : item));
    }
    case 'integer':
    case 'number': {
      if (value === undefined) return undefined;
      const kind = node.type === 'integer' ? 'an integer' : 'a number';
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (node.type !== 'integer' || Number.isInteger(value)) &&
        (node.minimum === undefined || value >= node.minimum) &&
        (node.maximum === undefined || value <= node.maximum);
      return ok ? value : fail(`must be ${kind} ${rangeText(node)}`.trimEnd());
    }
    case 'boolean':
      if (value === undefined || typeof value === 'boolean') return value;
      return fail('must be true or false');
    case 'string': {
      if (value === undefined) return undefined;
      if (typeof value !== 'string') return fail('must be a string');
      if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) return fail(`must match ${node.pattern}`);
      return value;
    }
    default:
      return value;
  }
}

function crossFieldErrors(config: DetectionConfig): ConfigError[] {
  const errors: ConfigError[] = [];
  const order = (lowPath: string, low: number, highPath: string, high: number) => {
    if (high < low) errors.push({ path: highPath, message: `${highPath}: must be >= ${lowPath} (${low}), got ${high}` });
  };
  order('severity.medium', config.severity.medium, 'severity.high', config.severity.high);
  order('severity.high', config.severity.high, 'severity.critical', config.severity.critical);
  order('baseline.minBucketSamples', config.baseline.minBucketSamples, 'baseline.bucketCapacity', config.baseline.bucketCapacity);
  config.overrides.forEach((o, i) => {
    if (parsePrefix(o.match) === null) {
      const path = `overrides[${i}].match`;
      errors.push({
        path,
        message: `${path}: must be an IPv4/IPv6 address or prefix (e.g. 203.0.113.0/24), got ${describe(o.match)}`,
      });
    }
  });
  return errors;
}

/** Validates `input` (any subset of the config) and returns it with every default filled in. */
export function resolveConfig(input: unknown = {}): ConfigResult {
  const errors: ConfigError[] = [];
  const config = walk(DetectionConfigSchema, input ?? {}, '', errors) as DetectionConfig | undefined;
  if (errors.length > 0 || config === undefined) return { ok: false, errors };
  const more = crossFieldErrors(config);
  return more.length > 0 ? { ok: false, errors: more } : { ok: true, config };
}

/** Like resolveConfig, but throws a DetectionConfigError listing every problem. */
export function parseConfig(input: unknown = {}): DetectionConfig {
  const result = resolveConfig(input);
  if (!result.ok) throw new DetectionConfigError(result.errors);
  return result.config;
}

export const defaultConfig = (): DetectionConfig => parseConfig({});
