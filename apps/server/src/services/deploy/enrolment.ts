// Single-use enrolment keys for the install one-liner. The key fetches the script once (a second
// fetch, or one after expiry, is refused); that fetch hands the script its own install ticket,
// which downloads the bundle and enrols this one host, until TICKET_TTL_MS after the fetch.
import { randomBytes, randomUUID } from 'node:crypto';
import type { EnrolmentKeyCreateBody, EnrolmentKeyCreated, EnrolmentKeyInfo, AgentEnrolBody } from '@breakwater/contracts';
import { audit, fleetDeploy, fromJson, type EnrolmentKeyRow } from '@breakwater/db';
import type { AppContext } from '../../context.ts';
import { digest } from '../../auth/credentials.ts';
import { AppError, unauthorized } from '../../errors.ts';
import { createNode } from '../nodes/nodes.ts';
import { iso, isoOrNull } from '../present.ts';
import { agentConfigFor, type NewAgentConfig } from './agent-config-for.ts';
import { shQuote } from './install-script.ts';

export const DEFAULT_ENROLMENT_TTL_SECONDS = 3600;
export const TICKET_TTL_MS = 30 * 60_000;
const KEY_PREFIX = 'bwe_';

export function installCommand(origin: string, key: string): string {
  return `curl -fsSL ${shQuote(`${origin}/api/agents/install-script?key=${key}`)} | sh`;
}

function stateOf(r: EnrolmentKeyRow, now: number): EnrolmentKeyInfo['state'] {
  if (r.enrolled_at !== null) return 'enrolled';
  if (r.used_at !== null) return 'used';
  return r.expires_at <= now ? 'expired' : 'unused';
}

export function presentEnrolmentKey(r: EnrolmentKeyRow, now: number): EnrolmentKeyInfo {
  return {
    id: r.id, label: r.label, prefix: r.prefix, state: stateOf(r, now), agent_id: r.node_uuid, created_by: r.created_by,
    created_at: iso(r.created_at), expires_at: iso(r.expires_at), used_at: isoOrNull(r.used_at),
  };
}

export async function createEnrolmentKey(ctx: AppContext, workspaceId: string, actor: string, body: EnrolmentKeyCreateBody, origin: string): Promise<EnrolmentKeyCreated> {
  const key = KEY_PREFIX + randomBytes(32).toString('hex');
  const now = ctx.clock.now();
  const row: EnrolmentKeyRow = {
    id: randomUUID(), workspace_id: workspaceId, digest: digest(key), prefix: key.slice(0, 12), label: body.label ?? null,
    tags: JSON.stringify(body.tags ?? []), created_by: actor, created_at: now,
    expires_at: now + (body.ttl_seconds ?? DEFAULT_ENROLMENT_TTL_SECONDS) * 1000,
    used_at: null, ticket_digest: null, enrolled_at: null, node_uuid: null,
  };
  await fleetDeploy.insertEnrolmentKey(ctx.db, row);
  return { ...presentEnrolmentKey(row, now), key, install_command: installCommand(origin, key) };
}

async function auditAs(ctx: AppContext, r: EnrolmentKeyRow, action: string, detail: unknown, requestId: string): Promise<void> {
  await audit.appendAudit(ctx.db, { workspaceId: r.workspace_id, actor: `enrolment_key:${r.prefix}`, action, target: r.id, detail, requestId, at: ctx.clock.now() });
}

/** Spends the key on one script fetch; returns the ticket the script carries. */
export async function useEnrolmentKey(ctx: AppContext, key: string, requestId: string, peer: string): Promise<{ row: EnrolmentKeyRow; ticket: string }> {
  const row = key.startsWith(KEY_PREFIX) ? await fleetDeploy.findEnrolmentKeyByDigest(ctx.db, digest(key)) : undefined;
  if (!row) throw unauthorized('key: not a valid enrolment key');
  const now = ctx.clock.now();
  const ticket = 'bwi_' + randomBytes(32).toString('hex');
  if (row.used_at !== null || row.expires_at <= now || !(await fleetDeploy.claimEnrolmentKey(ctx.db, row.id, now, digest(ticket)))) {
    const fresh = (await fleetDeploy.findEnrolmentKeyByDigest(ctx.db, row.digest)) ?? row;
    const why = fresh.used_at !== null ? 'used' : 'expired';
    await auditAs(ctx, row, 'agent.enrolment_key.refused', { reason: why, peer }, requestId);
    throw why === 'used'
      ? new AppError(410, 'enrolment_key_used', `key: this enrolment key was already used at ${iso(fresh.used_at!)}; create a new one`)
      : new AppError(410, 'enrolment_key_expired', `key: this enrolment key expired at ${iso(row.expires_at)}; create a new one`);
  }
  await auditAs(ctx, row, 'agent.enrolment_key.use', { peer }, requestId);
  return { row, ticket };
}

/** The key row behind a script's ticket, while the ticket is valid. */
export async function ticketKey(ctx: AppContext, ticket: string | undefined): Promise<EnrolmentKeyRow> {
  const row = ticket && /^bwi_[0-9a-f]{64}$/.test(ticket) ? await fleetDeploy.findEnrolmentKeyByTicket(ctx.db, digest(ticket)) : undefined;
  if (!row || row.used_at === null) throw unauthorized('X-Install-Ticket: missing or not a valid install ticket');
  if (row.used_at + TICKET_TTL_MS <= ctx.clock.now()) throw new AppError(410, 'install_ticket_expired', 'X-Install-Ticket: this install ticket has expired; create a new enrolment key');
  return row;
}

/** Registers the host the script runs on (once per ticket) and returns its agent config. */
export async function enrolWithTicket(ctx: AppContext, ticket: string | undefined, body: AgentEnrolBody, peer: string, origin: string, requestId: string): Promise<NewAgentConfig> {
  const row = await ticketKey(ctx, ticket);
  const now = ctx.clock.now();
  const ip = body.ip ?? peer.replace(/^::ffff:/, '');
  if (!(await fleetDeploy.markEnrolled(ctx.db, row.id, now, 'pending'))) {
    await auditAs(ctx, row, 'agent.enrol.refused', { reason: 'ticket already enrolled a host', peer }, requestId);
    throw new AppError(409, 'already_enrolled', 'X-Install-Ticket: this install ticket already enrolled a host; create a new enrolment key');
  }
  let created;
  try {
    created = await createNode(ctx, row.workspace_id, {
      name: body.hostname, ip, interface: body.interface, ...(body.os ? { os: body.os } : {}), tags: fromJson<string[]>(row.tags, []),
    });
  } catch (err) {
    await fleetDeploy.unmarkEnrolled(ctx.db, row.id);
    throw err;
  }
  await fleetDeploy.markEnrolledNode(ctx.db, row.id, created.node.uuid);
  await auditAs(ctx, row, 'agent.enrol', { agent_id: created.node.uuid, name: created.node.name, ip, peer }, requestId);
  const commandPublicKey = await ctx.commands.signer.publicKey(row.workspace_id);
  return agentConfigFor({ serverUrl: origin, nodeUuid: created.node.uuid, apiKey: created.apiKey, iface: body.interface, ip, commandPublicKey });
}
