// Allowlist (full-api.md): addresses and prefixes mitigation never touches. Adding an entry
// withdraws the live rules it covers at once.
import { randomUUID } from 'node:crypto';
import type { AllowBody } from '@breakwater/contracts';
import { mitigation as repo, nodes, type AllowlistRow, type Db } from '@breakwater/db';
import { canonicalPrefix } from '@breakwater/contracts';
import type { AppContext } from '../../context.ts';
import { badRequest } from '../../errors.ts';
import { findNode } from '../nodes/nodes.ts';
import { iso } from '../present.ts';

/** Entries as the API shows them, with the UUID of the node each one is scoped to. */
export async function presentAllowlist(db: Db, rows: AllowlistRow[]) {
  const uuids = await nodes.uuidsOf(db, [...new Set(rows.map((a) => a.node_id).filter((x): x is number => x !== null))]);
  return rows.map((a) => ({
    id: a.id, ip_address: a.ip_address, label: a.label, scope: a.node_id === null ? 'workspace' : 'node',
    node: a.node_id === null ? null : uuids.get(a.node_id) ?? null, created_by: a.created_by, created_at: iso(a.created_at),
  }));
}

/** Workspace-wide entries, plus those of one node when its reference is given. */
export async function listAllowlist(ctx: AppContext, workspaceId: string, nodeRef: string | undefined): Promise<AllowlistRow[]> {
  const node = nodeRef !== undefined ? await findNode(ctx, workspaceId, nodeRef) : null;
  return repo.listAllow(ctx.db, workspaceId, node?.id ?? null);
}

/** Stores an entry and withdraws the live rules it covers; returns it with how many were withdrawn. */
export async function addAllowEntry(ctx: AppContext, workspaceId: string, actor: string, b: AllowBody): Promise<{ row: AllowlistRow; scope: 'workspace' | 'node'; withdrawn: number }> {
  const ip = canonicalPrefix(b.ip_address);
  if (!ip) throw badRequest('ip_address: must be an IPv4 or IPv6 address or CIDR prefix');
  const scope = b.scope ?? (b.node ? 'node' : 'workspace');
  if (scope === 'node' && !b.node) throw badRequest('node: required when scope is node');
  if (scope === 'workspace' && b.node) throw badRequest('node: only with scope node');
  const node = scope === 'node' ? await findNode(ctx, workspaceId, b.node!) : null;
  const row: AllowlistRow = { id: randomUUID(), workspace_id: workspaceId, node_id: node?.id ?? null, ip_address: ip, label: b.label ?? null, created_by: actor, created_at: ctx.clock.now() };
  await repo.insertAllow(ctx.db, row);
  const withdrawn = await ctx.mitigation.enforceAllowlist(workspaceId, ip, node?.id ?? null, actor);
  return { row, scope, withdrawn };
}
