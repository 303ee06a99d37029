// Firewall profiles: the catalogue (data from @breakwater/firewall-profiles), previews, applies
// and rollbacks as signed profile_apply / profile_rollback commands to each node's agent, and
// each node's status from those commands' acknowledgements.
import { randomUUID } from 'node:crypto';
import { FIREWALL_SUITES, isFirewallSuite, isProfileId, PROFILE_IDS, type FirewallSuite, type ProfileId, type ProfilePreview, type ProfileStatus } from '@breakwater/contracts';
import { mitigation, nodes as nodesRepo, profiles as repo, type NodeRow, type ProfileApplicationRow } from '@breakwater/db';
import { checkRules, getProfile, renderProfile, renderText, RuleSetError, type CheckedRule } from '@breakwater/firewall-profiles';
import type { AppContext } from '../../context.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { findNode } from '../nodes/nodes.ts';

export function profileIdOf(v: unknown, key = 'profile_id'): ProfileId {
  if (!isProfileId(v)) throw badRequest(`${key}: must be one of ${PROFILE_IDS.join(', ')}`);
  return v;
}

export function suiteOf(v: unknown, key = 'suite'): FirewallSuite {
  if (!isFirewallSuite(v)) throw badRequest(`${key}: must be one of ${FIREWALL_SUITES.join(', ')}`);
  return v;
}

function checked(suite: FirewallSuite, rules: readonly unknown[], base: string): CheckedRule[] {
  try {
    return checkRules(suite, rules, base);
  } catch (e) {
    if (e instanceof RuleSetError) throw badRequest(e.message);
    throw e;
  }
}

/** The profile's rules and the custom ones, all parsed for the suite (custom ones refused naming rules[i].key). */
export function rulesFor(id: ProfileId, suite: FirewallSuite, custom: readonly unknown[] = []): CheckedRule[] {
  return [...checked(suite, getProfile(id).rules[suite], `profile ${id}`), ...checked(suite, custom, 'rules')];
}

async function allowlistOf(ctx: AppContext, workspaceId: string, nodeId: number | null): Promise<string[]> {
  return (await mitigation.listAllow(ctx.db, workspaceId, nodeId)).map((a) => a.ip_address);
}

/** What a node runs, minus the accept for its own server connection, which its agent puts first. */
export async function previewProfile(ctx: AppContext, workspaceId: string, id: ProfileId, suite: FirewallSuite, nodeRef?: string): Promise<ProfilePreview> {
  const node = nodeRef ? await findNode(ctx, workspaceId, nodeRef) : null;
  const rules = rulesFor(id, suite);
  const rendered = renderProfile(suite, { rules, allowlist: await allowlistOf(ctx, workspaceId, node?.id ?? null) });
  return { profile_id: id, suite, script: renderText(rendered), rules: rules.map((r) => ({ title: r.title, reason: r.reason, cmd: r.cmd, argv: r.argv })) };
}

async function targets(ctx: AppContext, workspaceId: string, nodeIds: readonly string[]): Promise<NodeRow[]> {
  if (nodeIds.length === 1 && nodeIds[0] === 'all') {
    const { rows } = await nodesRepo.listNodes(ctx.db, workspaceId, { limit: 10_000, offset: 0 } as never);
    if (rows.length === 0) throw badRequest('node_ids: the workspace has no nodes');
    return rows;
  }
  if (nodeIds.includes('all')) throw badRequest('node_ids: "all" must be alone');
  const out: NodeRow[] = [];
  for (const [i, ref] of nodeIds.entries()) {
    if (typeof ref !== 'string' || ref.length > 64) throw badRequest(`node_ids[${i}]: must be a node UUID or "all"`);
    out.push(await findNode(ctx, workspaceId, ref));
  }
  return [...new Map(out.map((n) => [n.id, n])).values()];
}

export interface ApplyResult {
  node_id: string;
  command_id: string;
  state: string;
}

export async function applyProfile(ctx: AppContext, workspaceId: string, actor: string, body: { profile_id: unknown; suite: unknown; node_ids: string[]; rules?: unknown[] }): Promise<ApplyResult[]> {
  const id = profileIdOf(body.profile_id);
  const suite = suiteOf(body.suite);
  const rules = rulesFor(id, suite, body.rules ?? []);
  const nodes = await targets(ctx, workspaceId, body.node_ids);
  const sent = rules.map((r) => ({ cmd: r.cmd, title: r.title, reason: r.reason }));
  const out: ApplyResult[] = [];
  for (const node of nodes) {
    const now = ctx.clock.now();
    const row: ProfileApplicationRow = {
      id: randomUUID(), workspace_id: workspaceId, node_id: node.id, profile_id: id, suite, rules: JSON.stringify(sent), rule_count: sent.length,
      command_id: null, rollback_command_id: null, applied_by: actor, created_at: now, updated_at: now,
    };
    await repo.insertApplication(ctx.db, row);
    const cmd = await ctx.commands.queue(node, 'profile_apply', { profile_id: id, suite, rules: sent, allowlist: await allowlistOf(ctx, workspaceId, node.id) }, actor);
    await repo.setApplyCommand(ctx.db, row.id, cmd.id, ctx.clock.now());
    out.push({ node_id: node.uuid, command_id: String(cmd.id), state: 'pending' });
  }
  return out;
}

export async function rollbackProfile(ctx: AppContext, workspaceId: string, actor: string, nodeIds: string[]): Promise<ApplyResult[]> {
  const nodes = await targets(ctx, workspaceId, nodeIds);
  const out: ApplyResult[] = [];
  for (const node of nodes) {
    const [last] = await repo.latestApplications(ctx.db, workspaceId, node.id);
    if (!last || last.rollback_command_id !== null) {
      if (nodeIds[0] === 'all') continue;
      throw conflict(`node_ids: node ${node.uuid} has no applied profile to roll back`, 'no_profile');
    }
    const cmd = await ctx.commands.queue(node, 'profile_rollback', {}, actor);
    await repo.setRollbackCommand(ctx.db, last.id, cmd.id, ctx.clock.now());
    out.push({ node_id: node.uuid, command_id: String(cmd.id), state: 'rolling_back' });
  }
  return out;
}

function stateOf(row: ProfileApplicationRow, cmds: Map<number, { status: string; error: string | null }>): { state: string; error: string | null } {
  if (row.rollback_command_id !== null) {
    const c = cmds.get(Number(row.rollback_command_id));
    if (c?.status === 'applied') return { state: 'rolled_back', error: null };
    if (c && c.status !== 'pending') return { state: 'failed', error: c.error ?? `rollback ${c.status}` };
    return { state: 'rolling_back', error: null };
  }
  const c = row.command_id !== null ? cmds.get(Number(row.command_id)) : undefined;
  if (c?.status === 'applied') return { state: 'applied', error: null };
  if (c && c.status !== 'pending') return { state: 'failed', error: c.error ?? `apply ${c.status}` };
  return { state: 'pending', error: null };
}

export async function profileStatus(ctx: AppContext, workspaceId: string, nodeRef?: string): Promise<ProfileStatus[]> {
  const node = nodeRef ? await findNode(ctx, workspaceId, nodeRef) : null;
  const rows = await repo.latestApplications(ctx.db, workspaceId, node?.id);
  const cmds = await repo.commandStates(ctx.db, rows.flatMap((r) => [r.command_id, r.rollback_command_id].filter((x): x is number => x !== null).map(Number)));
  const out: ProfileStatus[] = [];
  for (const r of rows) {
    const n = await nodesRepo.getNodeRow(ctx.db, r.node_id);
    if (!n) continue;
    const s = stateOf(r, cmds);
    out.push({
      node_id: n.uuid, node_name: n.name, profile_id: r.profile_id, suite: r.suite, state: s.state, rule_count: r.rule_count,
      command_id: r.command_id === null ? null : String(r.command_id), error: s.error, applied_by: r.applied_by, updated_at: new Date(Number(r.updated_at)).toISOString(),
    });
  }
  return out;
}

export function assertProfile(id: string): ProfileId {
  if (!isProfileId(id)) throw notFound(`Profile ${JSON.stringify(id)} (profiles: ${PROFILE_IDS.join(', ')})`);
  return id;
}
