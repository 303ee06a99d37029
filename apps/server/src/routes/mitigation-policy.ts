// Escalation policy and per-host thresholds (full-api.md).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EscalationPolicy, Ok, PolicyBody, ThresholdBody, ThresholdInfo, errors } from '@breakwater/contracts';
import { fromJson, mitigation as repo, type HostThresholdRow } from '@breakwater/db';
import { canonicalPrefix } from '@breakwater/mitigation';
import { recordAudit, type AppContext } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { mergePolicy, policyProblems, readPolicy } from '../services/mitigation/policy.ts';
import { iso } from '../services/present.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['mitigation'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const presentThreshold = (t: HostThresholdRow) => ({
  id: t.id, target_ip: t.target_ip, label: t.label, thresholds: fromJson<Record<string, number>>(t.thresholds, {}),
  created_at: iso(t.created_at), updated_at: iso(t.updated_at),
});

export async function mitigationPolicyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/mitigation/escalation-policy', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'The escalation policy: tiers, TTLs, baseline mode, geo lockdown, dry-run, hold-down, safety limits', security, response: { 200: Ok(EscalationPolicy), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: readPolicy(await repo.getPolicy(ctx.db, req.principal!.workspaceId)) }));

  r.put('/mitigation/escalation-policy', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Save the escalation policy (keys left out keep their current value)', security, body: PolicyBody, response: { 200: Ok(EscalationPolicy), ...errors(400, 401, 403, 429) } },
  }, async (req) => {
    const ws = req.principal!.workspaceId;
    const next = mergePolicy(readPolicy(await repo.getPolicy(ctx.db, ws)), req.body);
    const problems = policyProblems(next);
    const adapterIds = new Set((await repo.listAdapters(ctx.db, ws)).map((a) => a.id));
    next.thresholds.forEach((t, i) => {
      if (t.adapter_id && !adapterIds.has(t.adapter_id)) problems.push(`thresholds[${i}].adapter_id: no adapter ${t.adapter_id} in this workspace`);
    });
    if (next.geo_lockdown.adapter_id && !adapterIds.has(next.geo_lockdown.adapter_id)) problems.push(`geo_lockdown.adapter_id: no adapter ${next.geo_lockdown.adapter_id} in this workspace`);
    if (problems.length > 0) throw badRequest(problems.join('; '));
    await repo.savePolicy(ctx.db, ws, JSON.stringify(next), req.principal!.actor, ctx.clock.now());
    await recordAudit(ctx, req, 'mitigation.policy.save', null, req.body);
    return { ok: true as const, data: next };
  });

  r.get('/mitigation/thresholds', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Per-host threshold overrides', security, response: { 200: Ok(Type.Array(ThresholdInfo)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: (await repo.listThresholds(ctx.db, req.principal!.workspaceId)).map(presentThreshold) }));

  const save = async (ws: string, id: string | null, body: ThresholdBody) => {
    const target = canonicalPrefix(body.target_ip);
    if (!target) throw badRequest('target_ip: must be an IPv4 or IPv6 address or CIDR prefix');
    if (Object.keys(body.thresholds).length === 0) throw badRequest('thresholds: give at least one <tier>_pps or <tier>_bps value');
    for (const key of Object.keys(body.thresholds)) {
      if (!/^[a-z0-9_]{1,32}_(pps|bps)$/.test(key)) throw badRequest(`thresholds.${key}: keys are <tier name>_pps or <tier name>_bps, e.g. tier1_bps`);
    }
    const now = ctx.clock.now();
    const same = await repo.findThresholdByTarget(ctx.db, ws, target);
    if (id !== null && same && same.id !== id) throw conflict(`target_ip: ${target} already has its own override (${same.id})`);
    const cur = id !== null ? await repo.getThreshold(ctx.db, ws, id) : same;
    if (id !== null && !cur) throw notFound('Threshold');
    const row: HostThresholdRow = {
      id: cur?.id ?? randomUUID(), workspace_id: ws, target_ip: target, label: body.label ?? cur?.label ?? null,
      thresholds: JSON.stringify(body.thresholds), created_at: cur?.created_at ?? now, updated_at: now,
    };
    await repo.upsertThreshold(ctx.db, row);
    return row;
  };

  r.post('/mitigation/thresholds', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create or update (by target) a per-host override', security, body: ThresholdBody, response: { 200: Ok(ThresholdInfo), ...errors(400, 401, 403, 429) } },
  }, async (req) => {
    const row = await save(req.principal!.workspaceId, null, req.body);
    await recordAudit(ctx, req, 'mitigation.threshold.save', row.id, req.body);
    return { ok: true as const, data: presentThreshold(row) };
  });

  r.put('/mitigation/thresholds/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Update a per-host override', security, params: IdParams, body: ThresholdBody, response: { 200: Ok(ThresholdInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const row = await save(req.principal!.workspaceId, req.params.id, req.body);
    await recordAudit(ctx, req, 'mitigation.threshold.save', row.id, req.body);
    return { ok: true as const, data: presentThreshold(row) };
  });

  r.delete('/mitigation/thresholds/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Remove a per-host override (the host follows the policy again)', security, params: IdParams, response: { 200: Ok(Type.Object({ id: Type.String(), deleted: Type.Boolean() })), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    if (!(await repo.deleteThreshold(ctx.db, req.principal!.workspaceId, req.params.id))) throw notFound('Threshold');
    await recordAudit(ctx, req, 'mitigation.threshold.delete', req.params.id);
    return { ok: true as const, data: { id: req.params.id, deleted: true } };
  });
}
