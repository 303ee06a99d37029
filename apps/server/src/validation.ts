// Two validators: request bodies are checked exactly as sent (a string is never a
// number), while query strings, params and headers are coerced, as they are text.
import { isIP } from 'node:net';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { PATTERN_MESSAGES } from '@breakwater/contracts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  addFormats(ajv);
  ajv.addFormat('ip', { type: 'string', validate: (s: string) => isIP(s) !== 0 });
  ajv.addKeyword({ keyword: 'x-internal' });
  return ajv;
}

const exact = makeAjv(false);
const coercing = makeAjv(true);

export const schemaCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const fn: ValidateFunction = (httpPart === 'body' ? exact : coercing).compile(schema);
  return (data: unknown) => (fn(data) ? { value: data } : { error: Object.assign(new Error('validation failed'), { validation: fn.errors ?? [] }) });
};

function fieldPath(part: string, e: ErrorObject): string {
  let path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') path = path ? `${path}.${String(e.params.missingProperty)}` : String(e.params.missingProperty);
  if (e.keyword === 'additionalProperties') path = path ? `${path}.${String(e.params.additionalProperty)}` : String(e.params.additionalProperty);
  const prefix = part === 'body' ? '' : `${part === 'querystring' ? 'query' : part}.`;
  return path ? prefix + path : part === 'body' ? 'body' : part;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an allowed field';
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return e.params.format === 'ip' ? 'must be a valid IPv4 or IPv6 address' : `must be a valid ${String(e.params.format)}`;
    case 'type':
      return `must be of type ${String(e.params.type)}`;
    case 'pattern':
      return PATTERN_MESSAGES.get(String(e.params.pattern)) ?? e.message ?? 'is invalid';
    default:
      return e.message ?? 'is invalid';
  }
}

/** "name: must NOT have more than 100 characters" — the field first, then the rule. */
export function validationMessage(part: string, errors: ErrorObject[]): string {
  // In a union the most specific error says the most: the deepest path first, then one
  // that is not a bare type mismatch (that only says the input took another branch).
  const score = (e: ErrorObject) => e.instancePath.split('/').length * 2 + (e.keyword === 'type' ? 0 : 1);
  const candidates = errors.filter((e) => e.keyword !== 'anyOf');
  const best = candidates.reduce<ErrorObject | undefined>((a, e) => (!a || score(e) > score(a) ? e : a), undefined) ?? errors[0];
  if (!best) return `${part} is invalid`;
  return `${fieldPath(part, best)}: ${describe(best)}`;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates a nested value (e.g. a channel's type-specific config) with field names under `prefix`. */
export function validateValue(schema: object, value: unknown, prefix: string): string | null {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = exact.compile(schema);
    compiled.set(schema, fn);
  }
  if (fn(value)) return null;
  const msg = validationMessage('body', fn.errors ?? []);
  return msg.startsWith('body:') ? `${prefix}${msg.slice(4)}` : `${prefix}.${msg}`;
}
