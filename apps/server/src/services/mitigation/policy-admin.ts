// Saving the escalation policy and per-host threshold overrides (full-api.md): what an operator
// sends is merged, checked (adapters must be the workspace's own) and stored.
import { randomUUID } from 'node:crypto';
import { canonicalPrefix, type EscalationPolicy, type PolicyBody, type ThresholdBody } from '@breakwater/contracts';
import { fromJson, mitigation as repo, scrubbing as scrubbingRepo, type HostThresholdRow } from '@breakwater/db';
import type { AppContext } from '../../context.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { iso } from '../present.ts';
import { mergePolicy, policyProblems, readPolicy } from './policy.ts';

export const presentThreshold = (t: HostThresholdRow) => ({
  id: t.id, target_ip: t.target_ip, label: t.label, thresholds: fromJson<Record<string, number>>(t.thresholds, {}),
  created_at: iso(t.created_at), updated_at: iso(t.updated_at),
});

/** Keys left out keep their current value; every problem is named in one 400. */
export async function saveEscalationPolicy(ctx: AppContext, workspaceId: string, actor: string, body: PolicyBody): Promise<EscalationPolicy> {
  const next = mergePolicy(readPolicy(await repo.getPolicy(ctx.db, workspaceId)), body);
  const problems = policyProblems(next);
  const adapterIds = new Set((await repo.listAdapters(ctx.db, workspaceId)).map((a) => a.id));
  next.thresholds.forEach((t, i) => {
    if (t.adapter_id && !adapterIds.has(t.adapter_id)) problems.push(`thresholds[${i}].adapter_id: no adapter ${t.adapter_id} in this workspace`);
  });
  const integrationIds = new Set((await scrubbingRepo.listIntegrations(ctx.db, workspaceId)).map((s) => s.id));
  next.thresholds.forEach((t, i) => {
    if (t.integration_id && !integrationIds.has(t.integration_id)) problems.push(`thresholds[${i}].integration_id: no scrubbing integration ${t.integration_id} in this workspace`);
  });
  if (next.geo_lockdown.adapter_id && !adapterIds.has(next.geo_lockdown.adapter_id)) problems.push(`geo_lockdown.adapter_id: no adapter ${next.geo_lockdown.adapter_id} in this workspace`);
  if (problems.length > 0) throw badRequest(problems.join('; '));
  await repo.savePolicy(ctx.db, workspaceId, JSON.stringify(next), actor, ctx.clock.now());
  return next;
}

/** Creates (id null: or updates the one with the same target) or updates a per-host override. */
export async function saveThreshold(ctx: AppContext, workspaceId: string, id: string | null, body: ThresholdBody): Promise<HostThresholdRow> {
  const target = canonicalPrefix(body.target_ip);
  if (!target) throw badRequest('target_ip: must be an IPv4 or IPv6 address or CIDR prefix');
  if (Object.keys(body.thresholds).length === 0) throw badRequest('thresholds: give at least one <tier>_pps or <tier>_bps value');
  for (const key of Object.keys(body.thresholds)) {
    if (!/^[a-z0-9_]{1,32}_(pps|bps)$/.test(key)) throw badRequest(`thresholds.${key}: keys are <tier name>_pps or <tier name>_bps, e.g. tier1_bps`);
  }
  const now = ctx.clock.now();
  const same = await repo.findThresholdByTarget(ctx.db, workspaceId, target);
  if (id !== null && same && same.id !== id) throw conflict(`target_ip: ${target} already has its own override (${same.id})`);
  const cur = id !== null ? await repo.getThreshold(ctx.db, workspaceId, id) : same;
  if (id !== null && !cur) throw notFound('Threshold');
  const row: HostThresholdRow = {
    id: cur?.id ?? randomUUID(), workspace_id: workspaceId, target_ip: target, label: body.label ?? cur?.label ?? null,
    thresholds: JSON.stringify(body.thresholds), created_at: cur?.created_at ?? now, updated_at: now,
  };
  await repo.upsertThreshold(ctx.db, row);
  return row;
}
