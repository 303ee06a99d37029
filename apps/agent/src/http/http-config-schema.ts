// The agent config's `http` key as a TypeBox schema: the one declaration. The agent checks it
// against the plain copy in http-config-schema.generated.ts (see ../agent-config-schema.ts).
import { Type } from 'typebox';
import { HTTP_CUSTOM_FIELDS, HTTP_LOG_FORMATS } from '@breakwater/contracts';
import { DEFAULT_LOGIN_PATHS } from './http-config.ts';

const LogSchema = Type.Object({
  path: Type.String({ pattern: '^/', maxLength: 4096, allowed: 'an absolute path' }),
  format: Type.Union(HTTP_LOG_FORMATS.map((f) => Type.Literal(f)), { allowed: HTTP_LOG_FORMATS.join(', ') }),
  /** Only for `custom`: the fields of a line in order. */
  fields: Type.Optional(Type.Array(Type.Union(HTTP_CUSTOM_FIELDS.map((f) => Type.Literal(f))), { minItems: 1, maxItems: 64, allowed: `a list of ${HTTP_CUSTOM_FIELDS.join(', ')}` })),
  separator: Type.Optional(Type.Union([Type.Literal('space'), Type.Literal('tab')], { default: 'space', allowed: 'space or tab' })),
}, { additionalProperties: false });

export const HttpAgentConfigSchema = Type.Object({
  logs: Type.Array(LogSchema, { minItems: 0, maxItems: 64, default: [] }),
  /** Local ports whose open connections count (socket table); [] turns the socket table off. */
  ports: Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 64, default: [80, 443], allowed: 'a list of ports' }),
  login_paths: Type.Array(Type.String({ pattern: '^/', maxLength: 512 }), { maxItems: 256, default: DEFAULT_LOGIN_PATHS, allowed: 'a list of paths starting with /' }),
  max_line_bytes: Type.Integer({ minimum: 256, maximum: 1_048_576, default: 16_384 }),
  max_keys: Type.Integer({ minimum: 16, maximum: 100_000, default: 1024 }),
  tick_ms: Type.Integer({ minimum: 50, maximum: 5000, default: 250 }),
  socket_interval_ms: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
  detection: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { allowed: 'an object' })),
}, { additionalProperties: false });
