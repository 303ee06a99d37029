// Checks a value against a plain JSON Schema, without TypeBox: the agent validates its config and
// the server's commands with it, and loading TypeBox (~680 modules, ~23 MB resident) would be a
// third of its memory. The schemas stay written in TypeBox (the one declaration); the agent reads
// copies generated from them (apps/agent/scripts/plain-schemas.ts; a test keeps them current).
//
// Only the keywords those schemas use (PLAIN_SCHEMA_KEYWORDS; the generator refuses others), with
// TypeBox's behaviour where a message depends on it: the same errors (keyword, instancePath,
// params) in the same order, at most 8, and the same defaults. config-check.test.ts compares both.
import { parseAddress } from './ip-prefix.ts';

export type JsonSchema = { readonly [keyword: string]: unknown };

export interface SchemaError {
  keyword: string;
  /** JSON Pointer of the value that failed ("/thresholds/pps"). */
  instancePath: string;
  params: Record<string, unknown>;
}

/** Keywords checked; annotations are carried and ignored. */
export const PLAIN_SCHEMA_KEYWORDS: readonly string[] = [
  'type', 'required', 'additionalProperties', 'patternProperties', 'properties', 'items', 'minItems', 'maxItems',
  'minLength', 'maxLength', 'format', 'pattern', 'exclusiveMinimum', 'exclusiveMaximum', 'minimum', 'maximum', 'const', 'enum', 'anyOf', 'default',
  'description', 'title', '$id', 'allowed', 'allowedKeys', 'echo', 'writeOnly', 'readOnly', 'examples',
];

const MAX_ERRORS = 8;

/** Formats as the server registers them; others pass, as TypeBox lets an unknown format pass. */
const FORMATS: Record<string, (s: string) => boolean> = {
  ip: (s) => parseAddress(s) !== null,
  ipv4: (s) => parseAddress(s)?.family === 4,
  ipv6: (s) => parseAddress(s)?.family === 6,
  uuid: (s) => /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(s),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (v: object, k: string) => Object.prototype.hasOwnProperty.call(v, k);
const encode = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const regexps = new Map<string, RegExp>();
const regexp = (p: string): RegExp => {
  let r = regexps.get(p);
  if (!r) regexps.set(p, (r = new RegExp(p, 'u')));
  return r;
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function typeIs(name: unknown, v: unknown): boolean {
  switch (name) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'boolean': return typeof v === 'boolean';
    case 'integer': return Number.isInteger(v);
    case 'number': return Number.isFinite(v);
    case 'null': return v === null;
    case 'string': return typeof v === 'string';
    default: return true;
  }
}

class Errors {
  readonly list: SchemaError[] = [];
  full(): boolean {
    return this.list.length >= MAX_ERRORS;
  }
  add(keyword: string, instancePath: string, params: Record<string, unknown> = {}): false {
    if (!this.full()) this.list.push({ keyword, instancePath, params });
    return false;
  }
}

/** Every keyword is evaluated (no short cut), in TypeBox's order, so the errors come out as its do. */
function check(s: JsonSchema | boolean, v: unknown, at: string, out: Errors): boolean {
  if (out.full()) return false;
  if (typeof s === 'boolean') return s || out.add('boolean', at);
  let ok = true;
  if ('type' in s) {
    const t = s.type;
    if (!(Array.isArray(t) ? t.some((n) => typeIs(n, v)) : typeIs(t, v))) ok = out.add('type', at, { type: t });
  }
  if (isObject(v)) {
    const required = (s.required ?? []) as string[];
    if ('required' in s) {
      const missing = required.filter((k) => !has(v, k));
      if (missing.length > 0) ok = out.add('required', at, { requiredProperties: missing });
    }
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    const patterns = (s.patternProperties ?? {}) as Record<string, JsonSchema>;
    if ('additionalProperties' in s) {
      const extra: string[] = [];
      for (const k of Object.keys(v)) {
        if (has(props, k) || Object.keys(patterns).some((p) => regexp(p).test(k))) continue;
        if (!check(s.additionalProperties as JsonSchema | boolean, v[k], `${at}/${encode(k)}`, out)) extra.push(k);
      }
      if (extra.length > 0) ok = out.add('additionalProperties', at, { additionalProperties: extra });
    }
    for (const [p, sub] of Object.entries(patterns)) {
      for (const [k, x] of Object.entries(v)) if (regexp(p).test(k) && !check(sub, x, `${at}/${encode(k)}`, out)) ok = false;
    }
    for (const [k, sub] of Object.entries(props)) {
      // An optional key given as undefined is as good as absent.
      if (!has(v, k) || (v[k] === undefined && !required.includes(k))) continue;
      if (!check(sub, v[k], `${at}/${encode(k)}`, out)) ok = false;
    }
  }
  if (Array.isArray(v)) {
    if ('items' in s) v.forEach((x, i) => { if (!check(s.items as JsonSchema, x, `${at}/${i}`, out)) ok = false; });
    if (typeof s.minItems === 'number' && v.length < s.minItems) ok = out.add('minItems', at, { limit: s.minItems });
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) ok = out.add('maxItems', at, { limit: s.maxItems });
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && [...v].length < s.minLength) ok = out.add('minLength', at, { limit: s.minLength });
    if (typeof s.maxLength === 'number' && [...v].length > s.maxLength) ok = out.add('maxLength', at, { limit: s.maxLength });
    if (typeof s.format === 'string' && !(FORMATS[s.format]?.(v) ?? true)) ok = out.add('format', at, { format: s.format });
    if (typeof s.pattern === 'string' && !regexp(s.pattern).test(v)) ok = out.add('pattern', at, { pattern: s.pattern });
  }
  if (typeof v === 'number') {
    if (typeof s.exclusiveMinimum === 'number' && !(v > s.exclusiveMinimum)) ok = out.add('exclusiveMinimum', at, { comparison: '>', limit: s.exclusiveMinimum });
    if (typeof s.exclusiveMaximum === 'number' && !(v < s.exclusiveMaximum)) ok = out.add('exclusiveMaximum', at, { comparison: '<', limit: s.exclusiveMaximum });
    if (typeof s.minimum === 'number' && !(v >= s.minimum)) ok = out.add('minimum', at, { comparison: '>=', limit: s.minimum });
    if (typeof s.maximum === 'number' && !(v <= s.maximum)) ok = out.add('maximum', at, { comparison: '<=', limit: s.maximum });
  }
  if ('const' in s && !deepEqual(v, s.const)) ok = out.add('const', at, { allowedValue: s.const });
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(v, e))) ok = out.add('enum', at, { allowedValues: s.enum });
  if (Array.isArray(s.anyOf)) {
    // Each branch in its own list: a branch that passes leaves nothing; when none passes, all theirs.
    const failed: Errors[] = [];
    let any = false;
    for (const sub of s.anyOf as JsonSchema[]) {
      const own = new Errors();
      if (check(sub, v, at, own)) any = true;
      else failed.push(own);
    }
    if (!any) {
      for (const f of failed) for (const e of f.list) out.add(e.keyword, e.instancePath, e.params);
      ok = out.add('anyOf', at);
    }
  }
  return ok;
}

/** What is wrong with `value`: the first 8 problems, in TypeBox's order (none: it is valid). */
export function schemaErrors(schema: JsonSchema, value: unknown): SchemaError[] {
  const out = new Errors();
  check(schema, value, '', out);
  return out.list;
}

export function schemaCheck(schema: JsonSchema, value: unknown): boolean {
  return schemaErrors(schema, value).length === 0;
}

/** A deep copy of JSON-like data (what a config or a command's params are). */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, cloneValue(x)])) as T;
  return value;
}

/**
 * The schema's defaults filled in where a value is missing, as TypeBox's Value.Default: into
 * objects, maps and lists, and for a union the first branch whose defaults make the value valid.
 * Changes `value` in place (give it a copy).
 */
export function schemaDefault(schema: JsonSchema, value: unknown): unknown {
  const v = value === undefined && 'default' in schema ? cloneValue(schema.default) : value;
  if (Array.isArray(schema.anyOf)) {
    for (const sub of schema.anyOf as JsonSchema[]) {
      const r = schemaDefault(sub, cloneValue(v));
      if (schemaCheck(sub, r)) return r;
    }
    return v;
  }
  if (schema.type === 'array' && schema.items !== undefined && Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = schemaDefault(schema.items as JsonSchema, v[i]);
    return v;
  }
  if (!isObject(v)) return v;
  if (schema.properties !== undefined) {
    const props = schema.properties as Record<string, JsonSchema>;
    for (const [k, sub] of Object.entries(props)) {
      const r = schemaDefault(sub, v[k]);
      if (r !== undefined) v[k] = r;
    }
    if (isObject(schema.additionalProperties)) for (const k of Object.keys(v)) if (!has(props, k)) v[k] = schemaDefault(schema.additionalProperties, v[k]);
    return v;
  }
  if (schema.patternProperties !== undefined) {
    for (const [p, sub] of Object.entries(schema.patternProperties as Record<string, JsonSchema>)) {
      if (!('default' in sub)) continue;
      for (const k of Object.keys(v)) if (regexp(p).test(k)) v[k] = schemaDefault(sub, v[k]);
    }
  }
  return v;
}

/** Keywords of `schema` (at any depth) this checker does not know: the generator refuses them. */
export function unknownKeywords(schema: unknown, at = '#'): string[] {
  if (typeof schema === 'boolean') return [];
  if (!isObject(schema)) return [`${at} (not a schema)`];
  const out: string[] = [];
  for (const [k, x] of Object.entries(schema)) {
    if (!PLAIN_SCHEMA_KEYWORDS.includes(k)) out.push(`${at}/${k}`);
    else if (k === 'properties' || k === 'patternProperties') for (const [p, sub] of Object.entries(x as Record<string, unknown>)) out.push(...unknownKeywords(sub, `${at}/${k}/${p}`));
    else if (k === 'items' || k === 'additionalProperties') out.push(...unknownKeywords(x, `${at}/${k}`));
    else if (k === 'anyOf') (x as unknown[]).forEach((sub, i) => out.push(...unknownKeywords(sub, `${at}/anyOf/${i}`)));
  }
  return out;
}
