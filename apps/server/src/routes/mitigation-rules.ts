// Mitigation rules (full-api.md): active list, history, manual create, withdraw.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ok, RuleBody, RuleHistoryQuery, RuleInfo, errors } from '@breakwater/contracts';
import { incidents, mitigation as repo } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { AppError, notFound } from '../errors.ts';
import { createManualRule } from '../services/mitigation/manual-rule.ts';
import { presentRules } from '../services/mitigation/present.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['mitigation'];

export async function mitigationRuleRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/mitigation/rules', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Active mitigation rules (BGP, FlowSpec, scrubbing, node firewall, dry-run)', security, response: { 200: Ok(Type.Array(RuleInfo)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: await presentRules(ctx.db, await repo.activeRules(ctx.db, principalOf(req).workspaceId)) }));

  r.get('/mitigation/rules/history', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Every rule, newest first, including withdrawn, expired, refused and failed ones', security, querystring: RuleHistoryQuery, response: { 200: Ok(Type.Array(RuleInfo)), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    let incidentId: number | null = null;
    if (req.query.incident !== undefined) {
      const inc = await incidents.getIncidentByUuid(ctx.db, ws, req.query.incident);
      if (!inc) throw notFound('Incident');
      incidentId = inc.id;
    }
    return { ok: true as const, data: await presentRules(ctx.db, await repo.ruleHistory(ctx.db, ws, { limit: req.query.limit, incidentId })) };
  });

  r.post('/mitigation/rules', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Announce a blackhole, FlowSpec or scrubbing rule through an adapter', security, body: RuleBody, response: { 200: Ok(RuleInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const b = req.body;
    const { rule, target, ttl } = await createManualRule(ctx, p.workspaceId, p.actor, b);
    await recordAudit(ctx, req, 'mitigation.rule.create', rule.id, { target, intent_type: b.intent_type, adapter_id: b.adapter_id, status: rule.status, ttl });
    if (rule.status === 'refused') throw new AppError(409, 'refused', rule.error ?? 'refused');
    return { ok: true as const, data: (await presentRules(ctx.db, [rule]))[0]! };
  });

  r.delete('/mitigation/rules/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Withdraw a rule from every peer now', security, params: IdParams, response: { 200: Ok(RuleInfo), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    const rule = await repo.getRule(ctx.db, principalOf(req).workspaceId, req.params.id);
    if (!rule) throw notFound('Rule');
    const done = await ctx.mitigation.withdraw(rule, principalOf(req).actor, 'withdrawn by hand');
    await recordAudit(ctx, req, 'mitigation.rule.withdraw', rule.id, { status: done.status, error: done.error });
    return { ok: true as const, data: (await presentRules(ctx.db, [(await repo.getRuleById(ctx.db, rule.id)) ?? done]))[0]! };
  });
}
