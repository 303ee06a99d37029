// What operators do with an integration (paths.md): read its live status at the provider,
// announce (enable) a diversion and withdraw (disable) it. Every action is in the audit log and the
// integration's history; the provider's answers are sanitised before they are shown.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AnnounceBody, DiversionInfo, IntegrationStatus, Ok, WithdrawBody, WithdrawResult, errors } from '@breakwater/contracts';
import { incidents, nodes, scrubbing as repo, type IncidentRow, type NodeRow } from '@breakwater/db';
import { ScrubbingError } from '@breakwater/scrubbing';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { requestDiversion } from '../services/scrubbing/diversions.ts';
import { ownIntegration } from '../services/scrubbing/integration-admin.ts';
import { presentDiversions } from '../services/scrubbing/present.ts';
import { DiversionInputError, summaryState } from '../services/scrubbing/scrubbing-service.ts';
import { iso, isoOrNull } from '../services/present.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['scrubbing'];
/** Provider status calls the status endpoint makes at most (an integration may name hundreds of prefixes). */
const MAX_LIVE_TARGETS = 16;

/** Refusals before anything is stored: a 400 naming the key (config problems are the provider's own words). */
function inputError(err: unknown): never {
  if (err instanceof DiversionInputError) throw badRequest(err.message);
  if (err instanceof ScrubbingError && err.kind === 'config') throw badRequest(err.message);
  throw err;
}

/** Announce and withdraw have defaults for every key: a request without a body means `{}`. */
const bodyOptional = async (req: FastifyRequest) => {
  if (req.body === undefined) req.body = {};
};

export async function scrubbingActionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.db, clock: ctx.clock, scrubbing: ctx.scrubbing, allowlistFor: (ws: string, node: number | null) => ctx.mitigation.allowlistFor(ws, node) };

  r.get('/scrubbing/:id/status', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Real-time status at the provider: diverting or not, since when, connection health', security, params: IdParams, response: { 200: Ok(IntegrationStatus), ...errors(401, 404, 429) } },
  }, async (req) => {
    const cur = await ownIntegration(ctx, principalOf(req).workspaceId, req.params.id);
    const provider = ctx.scrubbing.pool.peek(cur);
    const active = await repo.activeDiversionsOf(ctx.db, cur.id);
    const asked = [...new Set([...active.filter((d) => d.dry_run === 0).map((d) => d.target), ...(provider?.targets() ?? [])])].slice(0, MAX_LIVE_TARGETS);
    const live = provider ? await ctx.scrubbing.liveStatus(cur, asked) : { statuses: [], errors: [{ target: '*', code: 'scrubbing_unsupported', message: `${cur.integration_type}: this integration type is not available` }], latencyMs: null };
    const fresh = (await repo.getIntegrationById(ctx.db, cur.id)) ?? cur;
    const state = summaryState(active);
    const onAt = live.statuses.filter((s) => s.state === 'diverting');
    const diverting = onAt.length > 0 || active.some((d) => d.state === 'diverting');
    const since = onAt.map((s) => s.since).filter((x): x is string => !!x).sort()[0] ?? isoOrNull(active.find((d) => d.state === 'diverting')?.diverting_at ?? null);
    return {
      ok: true as const,
      data: {
        integration_id: cur.id, integration_type: cur.integration_type, diverting, state, since: since ?? null, health: fresh.status, latency_ms: live.latencyMs,
        checked_at: iso(ctx.clock.now()), provider: live.statuses, errors: live.errors, capabilities: provider?.capabilities ?? null,
        diversions: await presentDiversions(ctx.db, active, new Map([[cur.id, cur.name]])),
      },
    };
  });

  r.post('/scrubbing/:id/announce', {
    onRequest: ctx.auth.api('operator'),
    preValidation: bodyOptional,
    schema: { tags, summary: 'Divert traffic through the provider (enable); one diversion per target', security, params: IdParams, body: AnnounceBody, response: { 200: Ok(DiversionInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const cur = await ownIntegration(ctx, p.workspaceId, req.params.id);
    const b = req.body;
    let incident: IncidentRow | null = null;
    let node: NodeRow | null = null;
    if (b.incident !== undefined) {
      const inc = await incidents.getIncidentByUuid(ctx.db, p.workspaceId, b.incident);
      if (!inc) throw notFound('Incident');
      incident = (await incidents.getIncidentRow(ctx.db, inc.id)) ?? null;
      node = incident ? (await nodes.getNodeRow(ctx.db, incident.node_id)) ?? null : null;
    }
    const address = b.target?.trim() || node?.ip || null;
    const row = await requestDiversion(deps, {
      workspaceId: p.workspaceId, integration: cur, address, ownerKind: 'user', owner: p.actor, reason: b.reason?.trim() || `announced by ${p.actor}`,
      ttl: b.ttl, incident, node, dryRun: b.dry_run,
    }).catch(inputError);
    await recordAudit(ctx, req, 'scrubbing.announce', cur.id, { diversion: row.id, target: row.target, state: row.state, dry_run: row.dry_run === 1, ttl: row.ttl_seconds });
    if (row.state === 'refused') throw new AppError(409, 'refused', row.error ?? 'refused');
    return { ok: true as const, data: (await presentDiversions(ctx.db, [row], new Map([[cur.id, cur.name]])))[0]! };
  });

  r.post('/scrubbing/:id/withdraw', {
    onRequest: ctx.auth.api('operator'),
    preValidation: bodyOptional,
    schema: { tags, summary: 'Return traffic to its direct path (disable); the flap guard holds it until the provider can follow unless force', security, params: IdParams, body: WithdrawBody, response: { 200: Ok(WithdrawResult), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const cur = await ownIntegration(ctx, p.workspaceId, req.params.id);
    const b = req.body;
    let active = (await repo.activeDiversionsOf(ctx.db, cur.id)).filter((d) => d.state !== 'withdrawing');
    if (b.target !== undefined) {
      const provider = ctx.scrubbing.pool.peek(cur);
      const t = provider?.targetFor(b.target.trim()) ?? b.target.trim();
      active = active.filter((d) => d.target === t || d.target === b.target);
      if (active.length === 0) throw new AppError(409, 'not_diverting', `target: ${b.target} has no diversion through ${cur.name} to withdraw`);
    } else if (active.length === 0) {
      throw new AppError(409, 'not_diverting', `${cur.name} diverts nothing now`);
    }
    const reason = b.reason?.trim() || `withdrawn by ${p.actor}`;
    const done = [];
    for (const d of active) done.push(await ctx.scrubbing.withdraw(d, p.actor, reason, { force: b.force === true }));
    await recordAudit(ctx, req, 'scrubbing.withdraw', cur.id, { diversions: done.map((d) => ({ id: d.id, target: d.target, state: d.state, withdraw_after: d.withdraw_after })), force: b.force === true });
    const fresh = await Promise.all(done.map(async (d) => (await repo.getDiversion(ctx.db, d.id)) ?? d));
    return { ok: true as const, data: { diversions: await presentDiversions(ctx.db, fresh, new Map([[cur.id, cur.name]])) } };
  });

}
