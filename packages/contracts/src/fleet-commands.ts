// The fleet command registry: for every command type, its params schema (commands.ts), a risk
// tier deciding who may send it, and the longest it may run on the agent. The server checks
// role and params with it, the agent its executors' timeouts, the dashboard builds its forms
// from it. A new type fails to compile until it has an entry here.
import { Type, type Static, type TSchema } from 'typebox';
import { COMMAND_PARAMS, type CommandType } from './commands.ts';
import { COMMAND_LIMITS, type CommandLimits } from './fleet-command-values.ts';

export { COMMAND_LIMITS, COMMAND_RISKS, isRawCommand, OUTPUT_CAP_BYTES, RAW_COMMAND_TYPES, ROLE_COMMAND_RISKS, type CommandLimits, type CommandRisk } from './fleet-command-values.ts';

export interface CommandSpec extends CommandLimits {
  params: TSchema;
}

export const COMMAND_REGISTRY = Object.fromEntries(
  (Object.keys(COMMAND_LIMITS) as CommandType[]).map((t) => [t, { params: COMMAND_PARAMS[t], ...COMMAND_LIMITS[t] }]),
) as unknown as Record<CommandType, CommandSpec>;

/**
 * What the server signs. The agent verifies the signature over the exact bytes of the JSON text
 * it receives, then reads these fields from it, so no canonical form is needed on either side.
 */
export const SignedCommandBody = Type.Object({
  v: Type.Literal(1),
  command_id: Type.Integer({ minimum: 1 }),
  node_uuid: Type.String(),
  type: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  /** 128 random bits in hex: the agent refuses a nonce it has seen before. */
  nonce: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  issued_at: Type.Integer({ description: 'epoch ms' }),
  expires_at: Type.Integer({ description: 'epoch ms; the agent refuses the command after it' }),
});
export type SignedCommandBody = Static<typeof SignedCommandBody>;

/** A signed command as it travels (pending command `signed`, push stream). */
export const SignedCommand = Type.Object({
  body: Type.String({ description: 'The SignedCommandBody as JSON text, exactly as signed' }),
  signature: Type.String({ description: 'Ed25519 signature of body (UTF-8), base64' }),
});
export type SignedCommand = Static<typeof SignedCommand>;

/** Why an agent refused a signed command: the ack's error starts with one of these words. */
export const COMMAND_REFUSALS = ['unsigned', 'bad_signature', 'wrong_agent', 'expired', 'replayed', 'malformed', 'no_pinned_key'] as const;
export type CommandRefusal = (typeof COMMAND_REFUSALS)[number];

/** The registry as the dashboard reads it: one entry per type with its JSON Schema. */
export const CommandTypeInfo = Type.Object({
  type: Type.String(),
  risk: Type.String(),
  timeout: Type.Integer(),
  summary: Type.String(),
  params: Type.Unknown(),
  allowed: Type.Boolean({ description: 'Whether the caller\'s role may send it' }),
});
export type CommandTypeInfo = Static<typeof CommandTypeInfo>;

