// Validates a config document against DetectionConfigSchema and fills its defaults through
// validatePlainConfig (contracts), so the schema the server publishes and the rules the engine enforces
// cannot drift apart; the cross-field rules follow. The engine reads the schema's plain copy
// (schema.generated.ts), so it runs in the agent without TypeBox. Messages name the parameter path and what is
// allowed, e.g. `thresholds.pps: must be an integer >= 1, got -3`.
import type { DetectionConfig } from './schema.ts';
import { DETECTION_CONFIG_PLAIN } from './schema.generated.ts';
import { ConfigError as ContractsConfigError, parsePrefix, validatePlainConfig } from '@breakwater/contracts/plain';

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

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
};

interface Words {
  type?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
}

const rangeText = ({ minimum: min, maximum: max }: Words): string => {
  if (min !== undefined && max !== undefined && max < Number.MAX_SAFE_INTEGER) return `between ${min} and ${max}`;
  if (min !== undefined) return `>= ${min}`;
  if (max !== undefined) return `<= ${max}`;
  return '';
};

/** Detection's own words where they differ from validateConfig's: ranges as comparisons, lists by count. */
function say(schema: Words, keyword: string): string | undefined {
  if (keyword === 'required') return 'is required';
  if (schema.type === 'integer' || schema.type === 'number') return `must be ${schema.type === 'integer' ? 'an integer' : 'a number'} ${rangeText(schema)}`.trimEnd();
  if (schema.type === 'array') return keyword === 'maxItems' ? `must have at most ${schema.maxItems} items` : 'must be an array';
  if (schema.type === 'string' && keyword === 'pattern') return `must match ${schema.pattern}`;
  return undefined;
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
  let config: DetectionConfig;
  try {
    config = validatePlainConfig<DetectionConfig>(DETECTION_CONFIG_PLAIN, input ?? {}, { noun: 'parameter', itemKeys: true, say, show: describe });
  } catch (e) {
    if (!(e instanceof ContractsConfigError)) throw e;
    return { ok: false, errors: e.problems.map((p) => ({ path: p.key, message: `${p.key || '(config)'}: ${p.message}` })) };
  }
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
