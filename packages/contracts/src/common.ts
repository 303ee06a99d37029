import { Type, type TSchema } from 'typebox';

/** `format: 'ip'` is registered by the server's validator (IPv4 or IPv6, via node:net). */
export const IpAddress = Type.String({ format: 'ip', maxLength: 45, description: 'IPv4 or IPv6 address' });
export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const IsoTime = Type.String({ format: 'date-time', description: 'UTC ISO 8601 timestamp' });
export const NullableString = (opts: { maxLength?: number } = {}) => Type.Union([Type.String(opts), Type.Null()]);
export const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

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
