// Scrubbing integrations (full-api.md "Scrubbing", paths.md): list with status, CRUD (admin),
// live status and history (viewer), test, announce and withdraw (operator).
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IntegrationBody, IntegrationInfo, IntegrationPatch, IntegrationTestResult, Ok, ScrubbingHistory, ScrubbingHistoryQuery, errors } from '@breakwater/contracts';
import { scrubbing as repo } from '@breakwater/db';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { createIntegration, deleteIntegration, ownIntegration, testIntegration, updateIntegration } from '../services/scrubbing/integration-admin.ts';
import { presentDiversions, presentEvent, presentIntegration } from '../services/scrubbing/present.ts';
import { scrubbingActionRoutes } from './scrubbing-actions.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['scrubbing'];

export async function scrubbingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const view = async (row: Awaited<ReturnType<typeof ownIntegration>>) => presentIntegration(ctx.db, ctx.scrubbing.pool, row, await repo.activeDiversionsOf(ctx.db, row.id));

  r.get('/scrubbing', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Scrubbing integrations with their current status (credentials masked)', security, response: { 200: Ok(Type.Array(IntegrationInfo)), ...errors(401, 429) } },
  }, async (req) => {
    const rows = await repo.listIntegrations(ctx.db, principalOf(req).workspaceId);
    return { ok: true as const, data: await Promise.all(rows.map(view)) };
  });

  r.post('/scrubbing', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Create a scrubbing integration', security, body: IntegrationBody, response: { 201: Ok(IntegrationInfo), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const row = await createIntegration(ctx, p.workspaceId, p.actor, req.body);
    await recordAudit(ctx, req, 'scrubbing.integration.create', row.id, { name: row.name, integration_type: row.integration_type });
    void reply.code(201);
    return { ok: true as const, data: await view(row) };
  });

  r.get('/scrubbing/:id', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'One scrubbing integration with its stored status', security, params: IdParams, response: { 200: Ok(IntegrationInfo), ...errors(401, 404, 429) } },
  }, async (req) => ({ ok: true as const, data: await view(await ownIntegration(ctx, principalOf(req).workspaceId, req.params.id)) }));

  r.put('/scrubbing/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Replace an integration\'s settings (masked credentials keep the stored ones)', security, params: IdParams, body: IntegrationBody, response: { 200: Ok(IntegrationInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const next = await updateIntegration(ctx, await ownIntegration(ctx, p.workspaceId, req.params.id), p.actor, req.body, false);
    await recordAudit(ctx, req, 'scrubbing.integration.update', next.id, { name: next.name, integration_type: next.integration_type, enabled: next.enabled === 1 });
    return { ok: true as const, data: await view(next) };
  });

  r.patch('/scrubbing/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Change some of an integration\'s settings (config keys merged over the stored ones)', security, params: IdParams, body: IntegrationPatch, response: { 200: Ok(IntegrationInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const next = await updateIntegration(ctx, await ownIntegration(ctx, p.workspaceId, req.params.id), p.actor, req.body, true);
    await recordAudit(ctx, req, 'scrubbing.integration.update', next.id, { name: next.name, keys: Object.keys(req.body), enabled: next.enabled === 1 });
    return { ok: true as const, data: await view(next) };
  });

  r.delete('/scrubbing/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Delete an integration, withdrawing its diversions first', security, params: IdParams, response: { 200: Ok(Type.Object({ id: Type.String(), deleted: Type.Boolean(), withdrawn_diversions: Type.Integer() })), ...errors(401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const cur = await ownIntegration(ctx, p.workspaceId, req.params.id);
    const withdrawn = await deleteIntegration(ctx, cur, p.actor);
    await recordAudit(ctx, req, 'scrubbing.integration.delete', cur.id, { name: cur.name, withdrawn_diversions: withdrawn });
    return { ok: true as const, data: { id: cur.id, deleted: true, withdrawn_diversions: withdrawn } };
  });

  r.post('/scrubbing/:id/test', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Test connectivity and authentication with the provider, with latency', security, params: IdParams, response: { 200: Ok(IntegrationTestResult), ...errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const cur = await ownIntegration(ctx, p.workspaceId, req.params.id);
    const result = await testIntegration(ctx, cur, p.actor);
    await recordAudit(ctx, req, 'scrubbing.integration.test', cur.id, { ok: result.ok, latency_ms: result.latency_ms, health: result.health });
    return { ok: true as const, data: result };
  });

  r.get('/scrubbing/:id/history', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'An integration\'s diversions (newest first) and its event history', security, params: IdParams, querystring: ScrubbingHistoryQuery, response: { 200: Ok(ScrubbingHistory), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const cur = await ownIntegration(ctx, p.workspaceId, req.params.id);
    const diversions = await repo.diversionHistory(ctx.db, p.workspaceId, { integrationId: cur.id, limit: req.query.limit });
    const events = await repo.eventsOf(ctx.db, p.workspaceId, cur.id, req.query.limit);
    return { ok: true as const, data: { diversions: await presentDiversions(ctx.db, diversions, new Map([[cur.id, cur.name]])), events: events.map(presentEvent) } };
  });

  await scrubbingActionRoutes(app, ctx);
}
