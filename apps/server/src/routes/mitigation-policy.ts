// Escalation policy and per-host thresholds (full-api.md).
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EscalationPolicy, Ok, PolicyBody, ThresholdBody, ThresholdInfo, errors } from '@breakwater/contracts';
import { mitigation as repo } from '@breakwater/db';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { readPolicy } from '../services/mitigation/policy.ts';
import { presentThreshold, saveEscalationPolicy, saveThreshold } from '../services/mitigation/policy-admin.ts';
import { deleteRoute } from './delete-route.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['mitigation'];

export async function mitigationPolicyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/mitigation/escalation-policy', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'The escalation policy: tiers, TTLs, baseline mode, geo lockdown, dry-run, hold-down, safety limits', security, response: { 200: Ok(EscalationPolicy), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: readPolicy(await repo.getPolicy(ctx.db, principalOf(req).workspaceId)) }));

  r.put('/mitigation/escalation-policy', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Save the escalation policy (keys left out keep their current value)', security, body: PolicyBody, response: { 200: Ok(EscalationPolicy), ...errors(400, 401, 403, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const next = await saveEscalationPolicy(ctx, p.workspaceId, p.actor, req.body);
    await recordAudit(ctx, req, 'mitigation.policy.save', null, req.body);
    return { ok: true as const, data: next };
  });

  r.get('/mitigation/thresholds', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Per-host threshold overrides', security, response: { 200: Ok(Type.Array(ThresholdInfo)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: (await repo.listThresholds(ctx.db, principalOf(req).workspaceId)).map(presentThreshold) }));

  r.post('/mitigation/thresholds', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create or update (by target) a per-host override', security, body: ThresholdBody, response: { 200: Ok(ThresholdInfo), ...errors(400, 401, 403, 429) } },
  }, async (req) => {
    const row = await saveThreshold(ctx, principalOf(req).workspaceId, null, req.body);
    await recordAudit(ctx, req, 'mitigation.threshold.save', row.id, req.body);
    return { ok: true as const, data: presentThreshold(row) };
  });

  r.put('/mitigation/thresholds/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Update a per-host override', security, params: IdParams, body: ThresholdBody, response: { 200: Ok(ThresholdInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const row = await saveThreshold(ctx, principalOf(req).workspaceId, req.params.id, req.body);
    await recordAudit(ctx, req, 'mitigation.threshold.save', row.id, req.body);
    return { ok: true as const, data: presentThreshold(row) };
  });

  deleteRoute(app, ctx, {
    path: '/mitigation/thresholds/:id', tags, summary: 'Remove a per-host override (the host follows the policy again)', what: 'Threshold',
    action: 'mitigation.threshold.delete', remove: repo.deleteThreshold,
  });
}
