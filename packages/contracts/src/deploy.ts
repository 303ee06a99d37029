import { Type, type Static } from 'typebox';
import { DEPLOY_TOKEN_SCOPES } from './deploy-scopes.ts';

export { COMMAND_KEY_HEADER } from './headers.ts';
export { DEPLOY_TOKEN_SCOPES } from './deploy-scopes.ts';
import { IpAddress, SafeText } from './common.ts';

export const DeployBody = Type.Object(
  {
    name: SafeText({ minLength: 1, maxLength: 100 }),
    ip: IpAddress,
    location: Type.Optional(SafeText({ maxLength: 100 })),
    os: Type.Optional(SafeText({ maxLength: 100 })),
    interface: Type.Optional(Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.:@-]+$' })),
  },
  // Deploy scripts in the field may send more (hostname, tags…): accept and ignore.
  { additionalProperties: true },
);
export type DeployBody = Static<typeof DeployBody>;

/** Kept exactly as agents in the field expect it: no data envelope. */
export const DeployResponse = Type.Object({
  ok: Type.Literal(true),
  node_uuid: Type.String(),
  api_key: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  name: Type.String(),
  ip: Type.String(),
});


export type DeployTokenScope = (typeof DEPLOY_TOKEN_SCOPES)[number];
export const DeployTokenScope = Type.Enum([...DEPLOY_TOKEN_SCOPES]);
