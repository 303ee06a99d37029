import type { NodeRow, Role, TokenScope } from '@breakwater/db';

export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

interface Base {
  workspaceId: string;
  /** Who did it, for the audit log: "user:alice@example.com", "token:ci", "node:<uuid>". */
  actor: string;
  /** What the rate limit is counted against. */
  rateKey: string;
}

export type Principal =
  | (Base & { kind: 'user'; userId: string; role: Role; sessionDigest: string })
  | (Base & { kind: 'api'; tokenId: string; role: Role })
  /** `scope: register` may call the deploy API only. */
  | (Base & { kind: 'deploy'; tokenId: string; role: Role; scope: TokenScope })
  | (Base & { kind: 'node'; node: NodeRow });

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
