// Mitigation rules (full-api.md): active list, history, manual create, withdraw.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ok, RuleBody, RuleInfo, errors, type RuleSpec } from '@breakwater/contracts';
import { fromJson, incidents, mitigation as repo } from '@breakwater/db';
import { canonicalPrefix } from '@breakwater/mitigation';
import { recordAudit, type AppContext } from '../context.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { readPolicy } from '../services/mitigation/policy.ts';
import { presentRules } from '../services/mitigation/present.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['mitigation'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Results per page (1-500)' }),
  incident: Type.Optional(Type.String({ maxLength: 64, description: 'Only the rules of this incident (UUID)' })),
}, { additionalProperties: false });

export async function mitigationRuleRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/mitigation/rules', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Active mitigation rules (BGP, FlowSpec, scrubbing, node firewall, dry-run)', security, response: { 200: Ok(Type.Array(RuleInfo)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: await presentRules(ctx.db, await repo.activeRules(ctx.db, req.principal!.workspaceId)) }));

  r.get('/mitigation/rules/history', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Every rule, newest first, including withdrawn, expired, refused and failed ones', security, querystring: HistoryQuery, response: { 200: Ok(Type.Array(RuleInfo)), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const ws = req.principal!.workspaceId;
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
    const ws = req.principal!.workspaceId;
    const b = req.body;
    const target = canonicalPrefix(b.target_ip);
    if (!target) throw badRequest('target_ip: must be an IPv4 or IPv6 address or CIDR prefix');
    const adapter = await repo.getAdapter(ctx.db, ws, b.adapter_id);
    if (!adapter) throw notFound('Adapter');
    const caps = fromJson<string[]>(adapter.capabilities, []);
    if (!caps.includes(b.intent_type)) throw badRequest(`intent_type: adapter ${adapter.name} carries ${caps.join(', ') || 'nothing'}, not ${b.intent_type}`);
    if (b.intent_type !== 'flowspec' && (b.match !== undefined || b.action !== undefined)) throw badRequest('match/action: only for intent_type flowspec');
    if (b.intent_type !== 'blackhole' && (b.communities !== undefined || b.next_hop !== undefined)) throw badRequest('communities/next_hop: only for intent_type blackhole');
    if (b.match?.source !== undefined && !canonicalPrefix(b.match.source)) throw badRequest('match.source: must be an IP address or CIDR prefix');
    const policy = readPolicy(await repo.getPolicy(ctx.db, ws));
    const ttl = b.ttl === undefined ? (typeof policy.ttl === 'number' ? policy.ttl : 3600) : b.ttl === 0 ? policy.max_rule_ttl : b.ttl;
    if (ttl > policy.max_rule_ttl) throw badRequest(`ttl: at most ${policy.max_rule_ttl} seconds (the escalation policy's max_rule_ttl)`);
    const spec: RuleSpec = b.intent_type === 'blackhole'
      ? { kind: 'blackhole', prefix: target, next_hop: b.next_hop ?? null, communities: b.communities ?? [...policy.blackhole_communities] }
      : b.intent_type === 'flowspec'
        ? { kind: 'flowspec', match: { ...b.match, destination: target, ...(b.match?.source ? { source: canonicalPrefix(b.match.source)! } : {}) }, action: b.action ?? { type: 'discard' } }
        : { kind: 'scrubbing', prefix: target };
    const rule = await ctx.mitigation.create({
      workspaceId: ws, adapter, node: null, incident: null, intent: b.intent_type, spec, owner: req.principal!.actor,
      reason: b.reason?.trim() || `manual ${b.intent_type} by ${req.principal!.actor}`, ttlSeconds: ttl, tier: null, dryRun: b.dry_run ?? policy.dry_run,
    });
    await recordAudit(ctx, req, 'mitigation.rule.create', rule.id, { target, intent_type: b.intent_type, adapter_id: adapter.id, status: rule.status, ttl });
    if (rule.status === 'refused') throw new AppError(409, 'refused', rule.error ?? 'refused');
    return { ok: true as const, data: (await presentRules(ctx.db, [rule]))[0]! };
  });

  r.delete('/mitigation/rules/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Withdraw a rule from every peer now', security, params: IdParams, response: { 200: Ok(RuleInfo), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    const rule = await repo.getRule(ctx.db, req.principal!.workspaceId, req.params.id);
    if (!rule) throw notFound('Rule');
    const done = await ctx.mitigation.withdraw(rule, req.principal!.actor, 'withdrawn by hand');
    await recordAudit(ctx, req, 'mitigation.rule.withdraw', rule.id, { status: done.status, error: done.error });
    return { ok: true as const, data: (await presentRules(ctx.db, [(await repo.getRuleById(ctx.db, rule.id)) ?? done]))[0]! };
  });
}
