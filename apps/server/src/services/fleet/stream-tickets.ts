// Single-use, short-lived tickets for the fleet's SSE streams. EventSource cannot send an
// Authorization header, so the stream URL carries `token=`: a ticket that an authenticated
// POST issued for one agent and one kind of stream, that lives STREAM_TICKET_TTL_SECONDS and
// opens one stream once — never a long-lived credential in a URL (logs, proxies, history).
// Only its digest is stored. When it is spent the role behind it is checked again: a user
// disabled or demoted, or a token revoked, since the ticket was issued opens nothing.
import { randomBytes } from 'node:crypto';
import { STREAM_ROLES, STREAM_TICKET_TTL_SECONDS, type StreamKind } from '@breakwater/contracts';
import { fleet, tokens, users, type Db, type NodeRow, type Role } from '@breakwater/db';
import { digest } from '../../auth/credentials.ts';
import { ROLE_RANK, type Principal } from '../../auth/principal.ts';
import type { Clock } from '../../clock.ts';
import { AppError, forbidden, unauthorized } from '../../errors.ts';

export interface IssuedTicket {
  ticket: string;
  expiresAt: number;
}

export function checkStreamRole(role: Role, kind: StreamKind): void {
  const need = STREAM_ROLES[kind];
  if (ROLE_RANK[role] < ROLE_RANK[need]) throw forbidden(`kind: a ${kind} stream needs the ${need} role; this credential has ${role}`);
}

export class StreamTickets {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(deps: { db: Db; clock: Clock; ttlMs?: number }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#ttlMs = Math.min(deps.ttlMs ?? STREAM_TICKET_TTL_SECONDS * 1000, 60_000);
  }

  async issue(p: Principal, node: NodeRow, kind: StreamKind): Promise<IssuedTicket> {
    if (p.kind === 'node') throw forbidden('Node keys cannot open fleet streams');
    checkStreamRole(p.role, kind);
    const now = this.#clock.now();
    const ticket = `bwst_${randomBytes(24).toString('base64url')}`;
    const ref = p.kind === 'user' ? p.userId : p.tokenId;
    await fleet.deleteTicketsExpiredBefore(this.#db, now - 3_600_000);
    await fleet.insertTicket(this.#db, {
      digest: digest(ticket), workspace_id: p.workspaceId, node_id: node.id, kind, principal_kind: p.kind, principal_ref: ref, actor: p.actor,
      created_at: now, expires_at: now + this.#ttlMs, used_at: null,
    });
    return { ticket, expiresAt: now + this.#ttlMs };
  }

  /** Spends the ticket and returns who it speaks for, their role checked again now. */
  async spend(ticket: string, kind: StreamKind): Promise<{ principal: Principal; nodeId: number }> {
    const now = this.#clock.now();
    const r = await fleet.spendTicket(this.#db, digest(ticket), now);
    if (!r.ok) {
      const msg = { unknown: 'token: unknown stream ticket; get one from POST /api/agents/{id}/stream-tickets', used: 'token: this stream ticket was already used; each opens one stream once', expired: 'token: this stream ticket has expired; tickets live at most 60 s' }[r.why];
      throw new AppError(401, `ticket_${r.why}`, msg);
    }
    const t = r.row;
    if (t.kind !== kind) throw forbidden(`token: this ticket opens a ${t.kind} stream, not ${kind}`);
    let principal: Principal;
    if (t.principal_kind === 'user') {
      const u = await users.getUser(this.#db, t.workspace_id, t.principal_ref);
      if (!u || u.disabled_at !== null) throw unauthorized('token: the account that asked for this ticket is disabled');
      principal = { kind: 'user', workspaceId: t.workspace_id, actor: t.actor, rateKey: `user:${u.id}`, userId: u.id, role: u.role, sessionDigest: '' };
    } else {
      const tok = (await tokens.listTokens(this.#db, t.workspace_id)).find((x) => x.id === t.principal_ref);
      if (!tok || tok.revoked_at !== null) throw unauthorized('token: the credential that asked for this ticket was revoked');
      const base = { workspaceId: t.workspace_id, actor: t.actor, rateKey: `token:${tok.id}`, tokenId: tok.id, role: tok.role };
      principal = tok.kind === 'deploy' ? { ...base, kind: 'deploy', scope: tok.scope ?? 'register' } : { ...base, kind: 'api' };
      if (principal.kind === 'deploy' && principal.scope !== 'operator') throw forbidden('token: this deploy token only registers nodes');
    }
    checkStreamRole(principal.role, kind);
    return { principal, nodeId: Number(t.node_id) };
  }
}
