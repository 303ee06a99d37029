import type { FastifyRequest } from 'fastify';
import type { NodeRow, Role, TokenScope } from '@breakwater/db';
import { unauthorized } from '../errors.ts';

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

// Routes read their caller through these, never `req.principal!`: a route registered without
// its auth hook answers 401 instead of crashing into a 500.

/** The caller a route's auth hook (Auth.api, deploy, session, node) identified. */
export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p) throw unauthorized();
  return p;
}

/** The node behind an agent API request (Auth.node). */
export function nodeOf(req: FastifyRequest): NodeRow {
  const p = principalOf(req);
  if (p.kind !== 'node') throw unauthorized('Missing or invalid node API key');
  return p.node;
}

/** The signed-in user behind a dashboard request (Auth.session). */
export function userOf(req: FastifyRequest): Extract<Principal, { kind: 'user' }> {
  const p = principalOf(req);
  if (p.kind !== 'user') throw unauthorized();
  return p;
}
