import { Type, type TSchema } from 'typebox';

/** `format: 'ip'` is registered by the server's validator (IPv4 or IPv6, via node:net). */
export const IpAddress = Type.String({ format: 'ip', maxLength: 45, description: 'IPv4 or IPv6 address' });
export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const IsoTime = Type.String({ format: 'date-time', description: 'UTC ISO 8601 timestamp' });
export const NullableString = (opts: { maxLength?: number } = {}) => Type.Union([Type.String(opts), Type.Null()]);
export const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

// Human-readable text (names, labels, reasons) is shown back in the dashboard, the CLI and
// notifications: it must not hold characters that hide or reorder what is displayed. Refused:
// C0 controls, DEL and C1 controls, zero-width and bidirectional formatting marks, line/paragraph
// separators, the BOM, and lone surrogates. Letters and symbols of any script stay allowed.
// The pattern works with and without the regex `u` flag (astral characters come as valid pairs).
const FORMAT_MARKS = '\\u007F-\\u009F\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\uD800-\\uDFFF';
const textPattern = (controls: string) => `^(?:[^${controls}${FORMAT_MARKS}]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$`;
const SINGLE_LINE_PATTERN = textPattern('\\u0000-\\u001F');
const MULTI_LINE_PATTERN = textPattern('\\u0000-\\u0008\\u000B-\\u001F');
const FORBIDDEN = 'zero-width and bidirectional formatting marks, U+FEFF, lone surrogates); letters and symbols of any script are allowed';
const TEXT_RULE = `must not contain control or bidirectional-override characters (C0/C1 controls, ${FORBIDDEN}`;
const MULTI_LINE_RULE = `must not contain control or bidirectional-override characters (C0/C1 controls other than line feed and tab, ${FORBIDDEN}`;

/** What a failed text pattern means, for validation messages (a raw regex says nothing to a user). */
export const PATTERN_MESSAGES: ReadonlyMap<string, string> = new Map([
  [SINGLE_LINE_PATTERN, TEXT_RULE],
  [MULTI_LINE_PATTERN, MULTI_LINE_RULE],
]);

type TextOpts = { minLength?: number; maxLength?: number; description?: string };
/** A single-line human-readable string: a name, label or title. */
export const SafeText = (opts: TextOpts = {}) => Type.String({ ...opts, pattern: SINGLE_LINE_PATTERN });
/** Human-readable text that may span lines: line feeds and tabs allowed, other controls not. */
export const MultilineText = (opts: TextOpts = {}) => Type.String({ ...opts, pattern: MULTI_LINE_PATTERN });

export const Limit = (max: number, dflt: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: dflt, description: `Results per page (1-${max})` });
export const Offset = Type.Integer({ minimum: 0, default: 0, description: 'Pagination offset' });

export const ErrorBody = Type.Object({
  ok: Type.Literal(false),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const PageMeta = Type.Object({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

export const Ok = <T extends TSchema>(data: T) => Type.Object({ ok: Type.Literal(true), data });
export const OkPage = <T extends TSchema>(item: T) =>
  Type.Object({ ok: Type.Literal(true), data: Type.Array(item), meta: PageMeta });

/** Standard error responses for a route, so OpenAPI lists them. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}
