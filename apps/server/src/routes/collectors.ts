// Flow collectors. Agent side (node key): a collector registers its networks and reports its
// exporters and per-host top talkers; its per-host metrics and incidents use the agent API with
// x-flow-host. REST side: collectors with their exporters' status, and top talkers per host.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Collector, CollectorRegisterBody, FlowMetricsBody, FlowStatusBody, Ok, TalkersQuery, TopTalkers, errors } from '@breakwater/contracts';
import { nodeOf, principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { collectorTalkers, getCollector, listCollectors, recordFlowMetrics, recordFlowStatus, registerCollector } from '../services/flows/collectors.ts';
import { IdParams } from './params.ts';
import { API_SECURITY, NODE_SECURITY } from './security.ts';

const tags = ['collectors'];

/** Under /api/v1/agent. */
export async function collectorAgentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/collector', {
    onRequest: ctx.auth.node(),
    schema: { tags, summary: 'This node is a flow collector protecting these networks (idempotent)', security: NODE_SECURITY, body: CollectorRegisterBody, response: { 200: Ok(Type.Object({ networks: Type.Array(Type.String()) })), ...errors(400, 401, 403, 429) } },
  }, async (req) => {
    const networks = await registerCollector(ctx, nodeOf(req), req.body);
    await recordAudit(ctx, req, 'collector.register', nodeOf(req).uuid, { networks });
    return { ok: true as const, data: { networks } };
  });

  r.post('/flow-metrics', {
    onRequest: ctx.auth.node(),
    bodyLimit: 16 * 1024 * 1024,
    schema: { tags, summary: 'A collector\'s per-second samples for many protected hosts (each stored under its flow node)', security: NODE_SECURITY, body: FlowMetricsBody, response: { 200: Ok(Type.Object({ hosts: Type.Integer(), accepted: Type.Integer(), refused: Type.Integer() })), ...errors(400, 401, 403, 413, 429) } },
  }, async (req) => ({ ok: true as const, data: await recordFlowMetrics(ctx, nodeOf(req), req.body) }));

  r.post('/flow-status', {
    onRequest: ctx.auth.node(),
    bodyLimit: 8 * 1024 * 1024,
    schema: { tags, summary: 'A collector\'s exporters and per-host top talkers', security: NODE_SECURITY, body: FlowStatusBody, response: { 200: Ok(Type.Object({ exporters: Type.Integer(), talkers: Type.Integer() })), ...errors(400, 401, 403, 413, 429) } },
  }, async (req) => ({ ok: true as const, data: await recordFlowStatus(ctx, nodeOf(req), req.body) }));
}

/** Under /api/v1. */
export async function collectorRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/collectors', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Flow collectors: networks, flow nodes, exporters with status (last datagram, templates, sampling rate, drops)', security: API_SECURITY, response: { 200: Ok(Type.Array(Collector)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: await listCollectors(ctx, principalOf(req).workspaceId) }));

  r.get('/collectors/:id', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'One collector', security: API_SECURITY, params: IdParams, response: { 200: Ok(Collector), ...errors(400, 401, 404, 429) } },
  }, async (req) => ({ ok: true as const, data: await getCollector(ctx, principalOf(req).workspaceId, req.params.id) }));

  r.get('/collectors/:id/talkers', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Top talkers (sources by packets, sampling applied) toward one protected host over a window', security: API_SECURITY, params: IdParams, querystring: TalkersQuery, response: { 200: Ok(TopTalkers), ...errors(400, 401, 404, 429) } },
  }, async (req) => ({
    ok: true as const,
    data: await collectorTalkers(ctx, principalOf(req).workspaceId, req.params.id, req.query.host, req.query.window ?? 300, req.query.limit ?? 20),
  }));
}
