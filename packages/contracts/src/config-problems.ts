// The one way a component checks its config: its own schema, with defaults, and errors that name
// the key and say what is allowed ("config login.windowSeconds: must be an integer from 1 to
// 86400, got 0"). Pure, and without TypeBox: the agent checks its config with validatePlainConfig
// against plain copies of its TypeBox schemas (schema-check.ts); config-check.ts is the same with
// TypeBox's checker, for schemas used where TypeBox is loaded anyway (the server).
//
// What a key allows is said by its schema: integers and numbers by their bounds, booleans, unions
// of literals by their values, anything else by `allowed` ("an http:// or https:// URL"). A schema
// with `echo: false` never has its value repeated (a credential, or a long message of its own).
import { cloneValue, schemaDefault, schemaErrors, type JsonSchema, type SchemaError } from './schema-check.ts';

export interface ConfigProblem {
  /** Dotted path of the key ("login.windowSeconds"), or the root's name. */
  key: string;
  /** What is allowed, and what was given. */
  message: string;
  /** The key is not one the schema knows. */
  unknown?: boolean;
}

/** The first problem is the message; every problem found is in `problems`. */
export class ConfigError extends Error {
  readonly key: string;
  readonly problems: readonly ConfigProblem[];
  constructor(label: string, problems: readonly ConfigProblem[]) {
    const first = problems[0] ?? { key: '', message: 'is invalid' };
    super(`${label}${first.key}: ${first.message}`);
    this.key = first.key;
    this.problems = problems;
  }
}

type Annotated = JsonSchema & {
  type?: string; minimum?: number; maximum?: number; anyOf?: Annotated[]; const?: unknown;
  minLength?: number; maxLength?: number; format?: string; items?: Annotated; minItems?: number; maxItems?: number;
  properties?: Record<string, Annotated>; patternProperties?: Record<string, Annotated>; allowed?: string; echo?: boolean;
  /** For a map (Type.Record): what its keys must be, in words. */
  allowedKeys?: string;
};

const FORMATS: Record<string, string> = { ipv4: 'an IPv4 address', ipv6: 'an IPv6 address', uri: 'a URL', email: 'an email address' };

function schemaAt(schema: Annotated, path: string[]): Annotated | undefined {
  let s: Annotated | undefined = schema;
  for (const p of path) {
    if (!s) return undefined;
    const pattern: [string, Annotated] | undefined = Object.entries(s.patternProperties ?? {}).find(([re]) => new RegExp(re).test(p));
    s = (s.properties && Object.hasOwn(s.properties, p) ? s.properties[p] : undefined) ?? pattern?.[1] ?? (s.items && /^\d+$/.test(p) ? s.items : undefined);
  }
  return s;
}

function valueAt(value: unknown, path: string[]): unknown {
  let v = value;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** A problem inside a list is the list's: "communities" names what the whole list must be. */
function listLevel(schema: Annotated, path: string[]): string[] {
  let s: Annotated | undefined = schema;
  for (let i = 0; i < path.length && s; i++) {
    if (s.type === 'array') return path.slice(0, i);
    s = schemaAt(s, [path[i]!]);
  }
  return path;
}

/** What a schema allows, in words. */
export function allowedBy(schema: Annotated): string {
  if (typeof schema.allowed === 'string') return `must be ${schema.allowed}`;
  if (schema.type === 'integer' || schema.type === 'number') {
    const what = schema.type === 'integer' ? 'an integer' : 'a number';
    if (schema.minimum !== undefined && schema.maximum !== undefined) return `must be ${what} from ${schema.minimum} to ${schema.maximum}`;
    if (schema.minimum !== undefined) return `must be ${what} of at least ${schema.minimum}`;
    if (schema.maximum !== undefined) return `must be ${what} of at most ${schema.maximum}`;
    return `must be ${what}`;
  }
  if (schema.type === 'boolean') return 'must be true or false';
  if (schema.anyOf?.every((s) => 'const' in s)) return `must be one of ${schema.anyOf.map((s) => String(s.const)).join(', ')}`;
  if (schema.type === 'string') {
    if (schema.format !== undefined) return `must be ${FORMATS[schema.format] ?? `a valid ${schema.format}`}`;
    const { minLength: lo, maxLength: hi } = schema;
    if (lo !== undefined && hi !== undefined) return lo === hi ? `must be a string of ${lo} characters` : `must be a string of ${lo} to ${hi} characters`;
    if (lo !== undefined) return lo === 1 ? 'must be a non-empty string' : `must be a string of at least ${lo} characters`;
    if (hi !== undefined) return `must be a string of at most ${hi} characters`;
    return 'must be a string';
  }
  if (schema.type === 'array') {
    const what = schema.items ? allowedBy(schema.items).replace(/^must be /, '') : 'anything';
    const { minItems: lo, maxItems: hi } = schema;
    const count = lo !== undefined && hi !== undefined ? ` (${lo} to ${hi} of them)` : lo !== undefined ? ` (at least ${lo})` : hi !== undefined ? ` (at most ${hi})` : '';
    return `must be a list, each ${what}${count}`;
  }
  if (schema.type === 'object') return 'must be an object';
  return 'is invalid';
}

export interface ConfigCheckOptions {
  /** Name of the value itself: keys become "rootKey.key". */
  rootKey?: string;
  /** false: never repeat a value (the config holds credentials). */
  echo?: boolean;
  /** What the config calls its keys in "unknown key (allowed: …)": "option" for adapter options. */
  noun?: string;
  /** Name a problem inside a list by its item ("httpPorts[1]", "overrides[0].match") instead of the whole list. */
  itemKeys?: boolean;
  /**
   * The config's own words for a problem where it has them ("must be an integer >= 1", "is required"),
   * given the key's schema and the keyword that failed ("required" for a missing key); allowedBy's otherwise.
   */
  say?: (schema: Annotated, keyword: string) => string | undefined;
  /** How a given value is repeated; JSON otherwise. */
  show?: (value: unknown) => string;
}

/** "a.b" for keys, "a[0]" for a list's items (with itemKeys). */
function keyOf(schema: Annotated, path: string[]): string {
  let key = '';
  let s: Annotated | undefined = schema;
  for (const p of path) {
    key = s?.type === 'array' && /^\d+$/.test(p) ? `${key}[${p}]` : key === '' ? p : `${key}.${p}`;
    s = s && schemaAt(s, [p]);
  }
  return key;
}

/** Every key of `value` named by `errors` (a checker's, for `schema`), once each, in the errors' order. */
export function problemsFrom(errors: Iterable<SchemaError>, schema: JsonSchema, value: unknown, opts: ConfigCheckOptions = {}): ConfigProblem[] {
  const rootKey = opts.rootKey ?? '';
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const e of errors) {
    const params = e.params as { additionalProperties?: string[]; requiredProperties?: string[] };
    const at = e.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const base = opts.itemKeys === true ? at : listLevel(schema, at);
    // A problem inside a list's item, without itemKeys, is the list's: what the list allows, not an item key.
    const inItem = base.length < at.length;
    const named = inItem ? [base] : e.keyword === 'additionalProperties' ? (params.additionalProperties ?? []).map((k) => [...base, k])
      : e.keyword === 'required' ? (params.requiredProperties ?? []).map((k) => [...base, k]) : [base];
    for (const path of named) {
      const key = [rootKey, keyOf(schema, path)].filter(Boolean).join('.');
      if (seen.has(key)) continue;
      seen.add(key);
      const sub = schemaAt(schema, path);
      if (!sub || (!inItem && e.keyword === 'additionalProperties')) {
        const parent = schemaAt(schema, path.slice(0, -1));
        const known = Object.keys(parent?.properties ?? {});
        const message = parent?.allowedKeys !== undefined ? `key must be ${parent.allowedKeys}` : `unknown ${opts.noun ?? 'key'}${known.length ? ` (allowed: ${known.join(', ')})` : ''}`;
        out.push({ key, message, unknown: true });
        continue;
      }
      const got = valueAt(value, path);
      const echo = opts.echo !== false && sub.echo !== false && got !== undefined;
      const missing = !inItem && e.keyword === 'required' && got === undefined;
      const said = opts.say?.(sub, missing ? 'required' : e.keyword);
      out.push({ key, message: missing ? said ?? `required (${allowedBy(sub).replace(/^must be /, '')})` : `${said ?? allowedBy(sub)}${echo ? `, got ${(opts.show ?? JSON.stringify)(got)}` : ''}` });
    }
  }
  return out;
}

/**
 * Fills in the schema's defaults (on a copy), checks the result and returns it typed; a ConfigError
 * otherwise, whose message is `${label}${key}: ${what is allowed}, got ${value}`. The schema is a
 * plain one (generated from TypeBox; see schema-check.ts), so TypeBox is not loaded.
 */
export function validatePlainConfig<T>(schema: JsonSchema, input: unknown, opts: ConfigCheckOptions & { label?: string } = {}): T {
  const value = schemaDefault(schema, cloneValue(input));
  const problems = problemsFrom(schemaErrors(schema, value), schema, value, opts);
  if (problems.length > 0) throw new ConfigError(opts.label ?? '', problems);
  return value as T;
}
