// What SchemaForm edits: a draft that mirrors the schema (text for each scalar, one item per line for
// a list of plain values, a list of drafts for a list of objects, a nested draft for an object, JSON
// text for what none of those can express), built from a value the API returned and turned back into
// the value the API takes. Field paths are the API's own ("config.to", "settings.ioc_patterns.2.hex"),
// so the message a refusal names lands on the field that caused it. Pure: no React, no DOM.

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  description?: string;
  title?: string;
  allowed?: string;
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  required?: string[];
  /** true: a credential (stored encrypted, masked on read). */
  secret?: boolean;
  /** false: never echoed (a credential). */
  echo?: boolean;
}

export type Draft = string | DraftObject | Draft[];
export interface DraftObject { [key: string]: Draft }

/** How a schema node is drawn. */
export type Shape = 'choice' | 'boolean' | 'number' | 'text' | 'lines' | 'object' | 'objects' | 'json';

const words = (p: JsonSchema): string[] | null => {
  if (Array.isArray(p.enum)) return p.enum.map(String);
  if (Array.isArray(p.anyOf) && p.anyOf.length > 0 && p.anyOf.every((a) => typeof a.const === 'string')) return p.anyOf.map((a) => String(a.const));
  return null;
};
export const choicesOf = words;

const SCALAR = new Set(['string', 'integer', 'number']);
/** A union of plain types (e.g. an integer or a string): typed as text, sent as a number when it reads as one and the union allows it. */
const scalarUnion = (p: JsonSchema) => Array.isArray(p.anyOf) && p.anyOf.length > 0 && p.anyOf.every((a) => SCALAR.has(String(a.type)) || a.type === 'null');
const isPlainObject = (p: JsonSchema) => p.type === 'object' && !!p.properties && !p.patternProperties;

export function shapeOf(p: JsonSchema): Shape {
  if (words(p)) return 'choice';
  if (p.type === 'boolean') return 'boolean';
  if (p.type === 'integer' || p.type === 'number') return 'number';
  if (p.type === 'string' || scalarUnion(p)) return 'text';
  if (p.type === 'array' && p.items) {
    if (words(p.items) || SCALAR.has(String(p.items.type))) return 'lines';
    if (isPlainObject(p.items)) return 'objects';
  }
  if (isPlainObject(p)) return 'object';
  return 'json';
}

/** A credential: marked so in the schema, or named by the caller (e.g. CHANNEL_SECRET_KEYS). */
export const isSecret = (p: JsonSchema, path: string, secrets: readonly string[]) => p.secret === true || p.echo === false || secrets.includes(path);
/** The API's mask of a stored secret: "****" or "****" and its last 4 characters. */
export const isMask = (v: unknown): v is string => typeof v === 'string' && /^\*{4}.{0,4}$/.test(v);

const plain = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

/** The draft for a value (absent: empty fields; lists of objects start empty). A masked secret is kept as its mask. */
export function draftOf(p: JsonSchema, v: unknown): Draft {
  if (isMask(v) && p.type !== 'string') return v;
  const shape = shapeOf(p);
  if (shape === 'object') {
    const o: DraftObject = {};
    const src = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    for (const [k, sub] of Object.entries(p.properties ?? {})) o[k] = draftOf(sub, src[k]);
    return o;
  }
  if (shape === 'objects') return Array.isArray(v) ? v.map((item) => draftOf(p.items!, item)) : [];
  if (v === undefined || v === null) return '';
  if (shape === 'lines') return Array.isArray(v) ? v.map(plain).join('\n') : plain(v);
  if (shape === 'json') return JSON.stringify(v, null, 2);
  if (p.format === 'date-time' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return localTime(Date.parse(v));
  return plain(v);
}

/** A time as a datetime-local box holds it ("2026-12-07T18:30"), in the browser's zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const num = (s: string) => (NUMBER.test(s) ? Number(s) : s);

export interface Converted {
  /** undefined: nothing typed (the key is left out). */
  value: unknown;
  /** Field path → message, for what cannot be sent at all (JSON that does not parse). */
  invalid: Record<string, string>;
}

/** The draft as the value the API takes: numbers as numbers, lists split, JSON parsed, empty left out. Wrong values are sent as typed, for the API to name. */
export function valueOfDraft(p: JsonSchema, d: Draft, path: string, invalid: Record<string, string> = {}, apiPrefix = ''): Converted {
  const shape = shapeOf(p);
  if (isMask(d) && p.type !== 'string') return { value: d, invalid };
  if (shape === 'object' && d && typeof d === 'object' && !Array.isArray(d)) {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(p.properties ?? {})) {
      const r = valueOfDraft(sub, d[k] ?? '', join(path, k), invalid, apiPrefix);
      if (r.value !== undefined) out[k] = r.value;
    }
    // an optional object nobody filled in is left out, not sent empty
    return { value: Object.keys(out).length > 0 ? out : undefined, invalid };
  }
  if (shape === 'objects' && Array.isArray(d)) {
    return { value: d.map((item, i) => valueOfDraft(p.items!, item, join(path, String(i)), invalid, apiPrefix).value ?? {}), invalid };
  }
  const t = typeof d === 'string' ? d.trim() : '';
  if (t === '') return { value: undefined, invalid };
  switch (shape) {
    case 'number':
      return { value: num(t), invalid };
    case 'boolean':
      return { value: t === 'true' ? true : t === 'false' ? false : t, invalid };
    case 'lines': {
      const items = t.split('\n').map((s) => s.trim()).filter(Boolean);
      const numeric = p.items?.type === 'integer' || p.items?.type === 'number';
      return { value: numeric ? items.map(num) : items, invalid };
    }
    case 'json':
      try {
        return { value: JSON.parse(t) as unknown, invalid };
      } catch {
        invalid[path] = `${join(apiPrefix, path)}: not valid JSON`;
        return { value: undefined, invalid };
      }
    case 'text':
      if (scalarUnion(p) && NUMBER.test(t) && p.anyOf!.some((a) => a.type === 'integer' || a.type === 'number')) return { value: Number(t), invalid };
      // a datetime-local box's local time, sent as the instant it names
      if (p.format === 'date-time' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(t)) return { value: new Date(t).toISOString(), invalid };
      return { value: typeof d === 'string' && p.type === 'string' ? d : t, invalid };
    default:
      return { value: t, invalid };
  }
}

/** The draft at a path ("a.b.0.c"). */
export function draftAt(d: Draft, path: string): Draft | undefined {
  let cur: Draft | undefined = d;
  for (const k of path.split('.')) {
    if (cur === undefined || typeof cur === 'string') return undefined;
    cur = Array.isArray(cur) ? cur[Number(k)] : cur[k];
  }
  return cur;
}

/** A copy of the draft with the path set. */
export function setDraft(d: Draft, path: string[], next: Draft): Draft {
  if (path.length === 0) return next;
  const [k, ...rest] = path as [string, ...string[]];
  if (Array.isArray(d)) {
    const copy = [...d];
    copy[Number(k)] = setDraft(copy[Number(k)] ?? '', rest, next);
    return copy;
  }
  const o = typeof d === 'object' ? d : {};
  return { ...o, [k]: setDraft(o[k] ?? '', rest, next) };
}

/**
 * The field path a message names: "config.to.0: must be…" or "steps[1].action_config.x: …" with the
 * API's prefix (e.g. "config") taken off; null when it names none or another part of the request.
 */
export function pathOfMessage(message: string, apiPrefix = ''): string | null {
  const m = /^(?:body\.)?([A-Za-z_][\w]*(?:(?:\.[\w]+)|(?:\[\d+\]))*): /.exec(message);
  if (!m) return null;
  const path = m[1]!.replace(/\[(\d+)\]/g, '.$1');
  if (!apiPrefix) return path;
  return path === apiPrefix ? '' : path.startsWith(`${apiPrefix}.`) ? path.slice(apiPrefix.length + 1) : null;
}

/** The drawn field a path belongs to: itself, or the nearest drawn field above it (a list or JSON box holds its items). */
export function fieldFor(path: string, fields: ReadonlySet<string>): string | null {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') if (fields.has(p)) return p;
  return null;
}

/** Every field path the draft draws (scalars, lists, JSON boxes), in order. */
export function fieldPaths(p: JsonSchema, d: Draft, path = ''): string[] {
  if (isMask(d) && p.type !== 'string') return [path];
  const shape = shapeOf(p);
  if (shape === 'object') return Object.entries(p.properties ?? {}).flatMap(([k, sub]) => fieldPaths(sub, (d as DraftObject)?.[k] ?? '', join(path, k)));
  if (shape === 'objects') return [path, ...(Array.isArray(d) ? d.flatMap((item, i) => fieldPaths(p.items!, item, join(path, String(i)))) : [])];
  return [path];
}

/** "1–86400 · 8–64 characters · …": what the schema allows, as a hint. */
export function boundsOf(p: JsonSchema): string[] {
  const range = (lo: number | undefined, hi: number | undefined, unit: string) =>
    lo !== undefined && hi !== undefined ? `${lo}–${hi}${unit}` : lo !== undefined && lo > 0 ? `≥ ${lo}${unit}` : hi !== undefined ? `≤ ${hi}${unit}` : null;
  return [
    range(p.minimum, p.maximum, ''),
    range(p.minLength, p.maxLength, ' characters'),
    p.type === 'array' ? range(p.minItems, p.maxItems, ' items') : null,
    p.format && p.format !== 'date-time' ? `a ${p.format}` : null,
  ].filter((x): x is string => !!x);
}
