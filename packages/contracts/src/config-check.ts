// config-problems.ts with TypeBox's own checker: for TypeBox schemas where TypeBox is loaded anyway
// (the server, the collector). The agent uses validatePlainConfig (config-problems.ts) instead.
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigError, problemsFrom, type ConfigCheckOptions, type ConfigProblem } from './config-problems.ts';
import type { JsonSchema, SchemaError } from './schema-check.ts';

export { allowedBy, ConfigError, problemsFrom, validatePlainConfig, type ConfigCheckOptions, type ConfigProblem } from './config-problems.ts';

/** Every key of `value` that breaks `schema`, once each, in the schema's order. */
export function configProblems(schema: TSchema, value: unknown, opts: ConfigCheckOptions = {}): ConfigProblem[] {
  return problemsFrom(Value.Errors(schema, value) as Iterable<SchemaError>, schema as JsonSchema, value, opts);
}

/**
 * Fills in the schema's defaults (on a copy), checks the result and returns it typed; a ConfigError
 * otherwise, whose message is `${label}${key}: ${what is allowed}, got ${value}`.
 */
export function validateConfig<T extends TSchema>(schema: T, input: unknown, opts: ConfigCheckOptions & { label?: string } = {}): Static<T> {
  const value = Value.Default(schema, Value.Clone(input));
  const problems = configProblems(schema, value, opts);
  if (problems.length > 0) throw new ConfigError(opts.label ?? '', problems);
  return value as Static<T>;
}
