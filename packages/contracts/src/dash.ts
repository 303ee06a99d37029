// The dashboard's own endpoints (/api/dash/*): who is signed in, tokens, users. Declared once here,
// so the server validates and serialises with them and the dashboard's client is typed by them.
import { Type, type Static } from 'typebox';
import { SafeText } from './common.ts';
import { DEPLOY_TOKEN_SCOPES, DeployTokenScope } from './deploy.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const Role = Type.Enum([...ROLES]);

export const LoginBody = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const Me = Type.Object({ user_id: Type.String(), email: Type.String(), name: Type.String(), role: Role, workspace_id: Type.String() });
export type Me = Static<typeof Me>;

export const SignedOut = Type.Object({ signed_out: Type.Boolean() });

export const TokenInfo = Type.Object({
  id: Type.String(), kind: Type.String(), name: Type.String(), role: Role, scope: Type.Union([DeployTokenScope, Type.Null()]), prefix: Type.String(),
  created_at: Type.String(), last_used_at: Type.Union([Type.String(), Type.Null()]), revoked_at: Type.Union([Type.String(), Type.Null()]),
});
export type TokenInfo = Static<typeof TokenInfo>;

export const TokenCreateBody = Type.Object({
  name: SafeText({ minLength: 1, maxLength: 100 }), kind: Type.Enum(['api', 'deploy']), role: Type.Optional(Role),
  scope: Type.Optional(Type.Enum([...DEPLOY_TOKEN_SCOPES], { description: 'Deploy tokens: register (POST /api/deploy only, the default) or operator (also REST v1 as an operator)' })),
}, { additionalProperties: false });
export type TokenCreateBody = Static<typeof TokenCreateBody>;

/** The token's secret is in this reply only. */
export const TokenCreated = Type.Object({ id: Type.String(), token: Type.String(), kind: Type.String(), role: Role, scope: Type.Union([DeployTokenScope, Type.Null()]) });
export const TokenRevoked = Type.Object({ id: Type.String(), revoked: Type.Boolean() });

export const UserInfo = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role, created_at: Type.String(), disabled: Type.Boolean() });
export type UserInfo = Static<typeof UserInfo>;

export const UserCreateBody = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }), name: SafeText({ minLength: 1, maxLength: 100 }), role: Role, password: Type.String({ minLength: 12, maxLength: 1024 }),
}, { additionalProperties: false });
export type UserCreateBody = Static<typeof UserCreateBody>;
