// Creating and changing runbooks: the body's steps validated by type (@breakwater/runbooks names
// steps[i].action_config.key), the objects they name checked in this workspace (a channel, a
// scrubbing integration, a cloudflare_waf one for cloudflare_uam), and masked webhook secrets
// sent back keeping the stored ones.
import { randomUUID } from 'node:crypto';
import type { RunbookBody, RunbookPatch, RunbookStep } from '@breakwater/contracts';
import { channels, fromJson, runbooks as repo, scrubbing, type RunbookRow } from '@breakwater/db';
import { checkHost } from '@breakwater/outbound';
import { StepsError, validateSteps } from '@breakwater/runbooks';
import { reachOf } from '../../outbound-config.ts';
import type { AppContext } from '../../context.ts';
import { badRequest, notFound } from '../../errors.ts';

export const MASK = '****';

export async function ownRunbook(ctx: AppContext, workspaceId: string, id: string): Promise<RunbookRow> {
  const row = await repo.getRunbook(ctx.db, workspaceId, id);
  if (!row) throw notFound('runbook');
  return row;
}

/** A webhook secret sent back masked keeps the one stored for the same step (same index, still a webhook). */
function unmask(steps: readonly RunbookStep[], stored: readonly RunbookStep[]): RunbookStep[] {
  return steps.map((s, i) => {
    if (s.action_type !== 'webhook' || s.action_config.secret !== MASK) return s;
    const old = stored[i];
    const secret = old?.action_type === 'webhook' ? old.action_config.secret : undefined;
    if (typeof secret !== 'string') throw badRequest(`steps[${i}].action_config.secret: send the secret itself (${MASK} keeps a stored secret only for a webhook step that has one at the same index)`);
    return { ...s, action_config: { ...s.action_config, secret } };
  });
}

async function checkSteps(ctx: AppContext, workspaceId: string, steps: readonly RunbookStep[]): Promise<RunbookStep[]> {
  let valid: RunbookStep[];
  try {
    valid = validateSteps(steps);
  } catch (err) {
    if (err instanceof StepsError) throw badRequest(err.message);
    throw err;
  }
  for (const [i, s] of valid.entries()) {
    const key = `steps[${i}].action_config`;
    if (s.action_type === 'notify_channel' && !(await channels.getChannel(ctx.db, workspaceId, String(s.action_config.channel_id)))) {
      throw badRequest(`${key}.channel_id: no notification channel ${String(s.action_config.channel_id)} in this workspace`);
    }
    if (s.action_type === 'webhook') {
      // Variables are URL-encoded where they land, but the host is the operator's choice alone.
      const url = String(s.action_config.url);
      const host = /^https?:\/\/([^/?#]*)/.exec(url)?.[1] ?? '';
      if (host.includes('{{') || !URL.canParse(url.replace(/\{\{[^}]*\}\}/g, 'x'))) throw badRequest(`${key}.url: must be an http:// or https:// URL whose host is written out (variables only in the path or query)`);
      const refused = await checkHost(new URL(url.replace(/\{\{[^}]*\}\}/g, 'x')).hostname, reachOf(ctx.config.outbound.channels, 'webhook'));
      if (refused) throw badRequest(`${key}.url: ${refused.message}`);
    }
    if (s.action_type === 'scrubbing_enable' || s.action_type === 'cloudflare_uam') {
      const integration = await scrubbing.getIntegration(ctx.db, workspaceId, String(s.action_config.integration_id));
      if (!integration) throw badRequest(`${key}.integration_id: no scrubbing integration ${String(s.action_config.integration_id)} in this workspace`);
      if (s.action_type === 'cloudflare_uam' && integration.integration_type !== 'cloudflare_waf') {
        throw badRequest(`${key}.integration_id: cloudflare_uam needs a cloudflare_waf integration (its zone's security level), got ${integration.integration_type}`);
      }
    }
  }
  return valid;
}

export async function createRunbook(ctx: AppContext, workspaceId: string, actor: string, body: RunbookBody): Promise<RunbookRow> {
  const steps = await checkSteps(ctx, workspaceId, unmask(body.steps, []));
  const now = ctx.clock.now();
  const row: RunbookRow = {
    id: randomUUID(), workspace_id: workspaceId, name: body.name, description: body.description ?? '', trigger_conditions: JSON.stringify(body.trigger_conditions),
    steps: JSON.stringify(steps), undo_on_resolve: body.undo_on_resolve === false ? 0 : 1, active: body.active === false ? 0 : 1, created_by: actor, created_at: now, updated_at: now,
  };
  await repo.insertRunbook(ctx.db, row);
  return row;
}

export async function updateRunbook(ctx: AppContext, cur: RunbookRow, patch: RunbookPatch): Promise<RunbookRow> {
  const next: RunbookRow = { ...cur, updated_at: ctx.clock.now() };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.trigger_conditions !== undefined) next.trigger_conditions = JSON.stringify(patch.trigger_conditions);
  if (patch.undo_on_resolve !== undefined) next.undo_on_resolve = patch.undo_on_resolve ? 1 : 0;
  if (patch.active !== undefined) next.active = patch.active ? 1 : 0;
  if (patch.steps !== undefined) next.steps = JSON.stringify(await checkSteps(ctx, cur.workspace_id, unmask(patch.steps, fromJson<RunbookStep[]>(cur.steps, []))));
  const { id: _id, workspace_id: _ws, created_at: _c, ...rest } = next;
  await repo.updateRunbook(ctx.db, cur.id, rest);
  return next;
}
