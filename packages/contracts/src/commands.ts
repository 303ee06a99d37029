// Commands an operator (or, later, the mitigation policy) sends an agent: typed firewall
// intents, never shell text. `exec` runs an argument vector without a shell, only when an
// admin (never a deploy token) sends it, and only on agents whose local config allows it
// (`allow_raw_commands`, reported in the heartbeat).
import { Type, type Static, type TSchema } from 'typebox';
import { COMMAND_STATUSES } from './statuses.ts';

const Ttl = Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 600, description: 'Seconds until the rule is removed' }));
const Incident = Type.Optional(Type.String({ format: 'uuid', description: 'Remove the rule when this incident resolves' }));
const P = <T extends Record<string, TSchema>>(props: T) => Type.Object({ ...props, ttl: Ttl, incident: Incident }, { additionalProperties: false });

export const COMMAND_PARAMS = {
  block_source: P({ address: Type.String({ format: 'ip' }) }),
  block_prefix: P({ prefix: Type.String({ pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', maxLength: 49 }) }),
  drop_port: P({ protocol: Type.Enum(['tcp', 'udp']), port: Type.Integer({ minimum: 1, maximum: 65535 }) }),
  drop_protocol: P({ protocol: Type.Enum(['udp', 'icmp', 'icmpv6', 'gre', 'esp', 'sctp']) }),
  rate_limit: P({ protocol: Type.Enum(['tcp', 'udp', 'icmp']), port: Type.Integer({ minimum: 0, maximum: 65535 }), pps: Type.Integer({ minimum: 1, maximum: 100_000_000 }) }),
  syn_protection: P({ pps: Type.Integer({ minimum: 1, maximum: 100_000_000 }) }),
  /** Takes back a rule an earlier command applied (a mitigation rule withdrawn by hand). */
  revoke: Type.Object({ command_id: Type.Integer({ minimum: 1, description: 'The number of the command whose rule is removed' }) }, { additionalProperties: false }),
  exec: Type.Object({ argv: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 64 }), timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, default: 30 })) }, { additionalProperties: false }),
} as const;
export type CommandType = keyof typeof COMMAND_PARAMS;
export const COMMAND_TYPES = Object.keys(COMMAND_PARAMS) as CommandType[];
export type CommandParams<T extends CommandType> = Static<(typeof COMMAND_PARAMS)[T]>;

export const CommandBody = Type.Object(
  { type: Type.Enum(COMMAND_TYPES), params: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);
export type CommandBody = Static<typeof CommandBody>;

export const CommandQueued = Type.Object({ command_id: Type.String(), status: Type.String() });

export const CommandInfo = Type.Object({
  command_id: Type.String(),
  type: Type.String(),
  params: Type.Unknown(),
  title: Type.String(),
  status: Type.String({ description: `${COMMAND_STATUSES.join(' | ')}; other words an agent acknowledges with are stored as sent` }),
  error: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  acked_at: Type.Union([Type.String(), Type.Null()]),
});
