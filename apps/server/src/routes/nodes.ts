import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  MetricsQuery, MetricsSeries, Node, NodeCreateBody, NodeDetail, NodeListQuery, NodeUpdateBody, Ok, OkPage, errors,
} from '@breakwater/contracts';
import { metrics, nodes, type NodePatch } from '@breakwater/db';
import { offlineBefore, recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { badRequest, conflict } from '../errors.ts';
import { createNode, findNode, nodeDetail } from '../services/nodes/nodes.ts';
import { iso, parseTime, presentNode } from '../services/present.ts';

import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';
const tags = ['nodes'];

export async function nodeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/nodes', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'List nodes', security, querystring: NodeListQuery, response: { 200: OkPage(Node), ...errors(400, 401, 429) } },
  }, async (req) => {
    const { limit = 50, offset = 0, status, q, tag, sort, order } = req.query;
    const { rows, total } = await nodes.listNodes(ctx.db, principalOf(req).workspaceId, { limit, offset, status, q, tag, sort, order, offlineBefore: offlineBefore(ctx) });
    return { ok: true as const, data: rows.map(presentNode), meta: { total, limit, offset } };
  });

  r.post('/nodes', {
    onRequest: ctx.auth.api('operator'),
    schema: {
      tags, summary: 'Create a node (returns its API key once)', security, body: NodeCreateBody,
      response: { 201: Ok(Type.Intersect([NodeDetail, Type.Object({ api_key: Type.String() })])), ...errors(400, 401, 402, 403, 409, 429) },
    },
  }, async (req, reply) => {
    const { node, apiKey } = await createNode(ctx, principalOf(req).workspaceId, req.body);
    await recordAudit(ctx, req, 'node.create', node.uuid, { name: node.name, ip: node.ip });
    void reply.status(201);
    return { ok: true as const, data: { ...(await nodeDetail(ctx, node)), api_key: apiKey } };
  });

  r.get('/nodes/:id', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Get a node with its baseline and protocol breakdown', security, params: IdParams, response: { 200: Ok(NodeDetail), ...errors(401, 404, 429) } },
  }, async (req) => ({ ok: true as const, data: await nodeDetail(ctx, await findNode(ctx, principalOf(req).workspaceId, req.params.id)) }));

  r.patch('/nodes/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Update a node (only the fields sent)', security, params: IdParams, body: NodeUpdateBody, response: { 200: Ok(NodeDetail), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const node = await findNode(ctx, ws, req.params.id);
    const b = req.body;
    if (b.name !== undefined && b.name !== node.name && (await nodes.nodeNameTaken(ctx.db, ws, b.name, node.id))) {
      throw conflict(`A node named "${b.name}" already exists`, 'duplicate_name');
    }
    const patch: NodePatch = { updated_at: ctx.clock.now() };
    if (b.name !== undefined) patch.name = b.name;
    if (b.ip !== undefined) patch.ip = b.ip;
    if (b.location !== undefined) patch.location = b.location;
    if (b.os !== undefined) patch.os = b.os;
    if (b.interface !== undefined) patch.interface = b.interface;
    if (b.priority !== undefined) patch.priority = b.priority;
    if (b.pps_threshold !== undefined) patch.pps_threshold = b.pps_threshold;
    if (b.bps_threshold !== undefined) patch.bps_threshold = b.bps_threshold;
    if (b.tags !== undefined) patch.tags = JSON.stringify(b.tags);
    if (b.agent_settings !== undefined) patch.agent_settings = b.agent_settings === null || Object.keys(b.agent_settings).length === 0 ? null : JSON.stringify(b.agent_settings);
    await nodes.updateNode(ctx.db, ws, node.id, patch);
    await recordAudit(ctx, req, 'node.update', node.uuid, b);
    return { ok: true as const, data: await nodeDetail(ctx, await findNode(ctx, ws, node.uuid)) };
  });

  r.delete('/nodes/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: {
      tags, summary: 'Soft-delete a node (its key stops working at once)', security, params: IdParams,
      response: { 200: Ok(Type.Object({ uuid: Type.String(), deleted: Type.Boolean() })), ...errors(401, 403, 404, 429) },
    },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const node = await findNode(ctx, ws, req.params.id);
    await nodes.softDeleteNode(ctx.db, ws, node.id, ctx.clock.now());
    ctx.auth.forgetNode(node.id);
    await recordAudit(ctx, req, 'node.delete', node.uuid, { name: node.name });
    return { ok: true as const, data: { uuid: node.uuid, deleted: true } };
  });

  r.get('/nodes/:id/metrics', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Traffic time series for charts', security, params: IdParams, querystring: MetricsQuery, response: { 200: Ok(MetricsSeries), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const node = await findNode(ctx, principalOf(req).workspaceId, req.params.id);
    const now = ctx.clock.now();
    const to = parseTime(req.query.to, NaN);
    const toMs = req.query.to === undefined ? now : to;
    if (Number.isNaN(toMs)) throw badRequest('query.to: must be an ISO 8601 time or epoch milliseconds');
    const fromMs = req.query.from === undefined ? toMs - 3_600_000 : parseTime(req.query.from, NaN);
    if (Number.isNaN(fromMs)) throw badRequest('query.from: must be an ISO 8601 time or epoch milliseconds');
    if (fromMs >= toMs) throw badRequest('query.from: must be before query.to');
    const span = toMs - fromMs;
    const step = req.query.step ?? Math.max(1, Math.ceil(span / 720 / 1000));
    if (span / (step * 1000) > 10_000) throw badRequest(`query.step: ${step} s gives more than 10000 points for this range; use a larger step`);
    // The finest resolution both the step and retention allow.
    const rawFrom = now - ctx.config.retention.rawHours * 3_600_000;
    const source = step < 60 && fromMs >= rawFrom ? 'metrics' : step < 3600 ? 'metrics_1m' : 'metrics_1h';
    if (source !== 'metrics') await ctx.ingest.drain();
    const points = await metrics.querySeries(ctx.db, source, node.id, fromMs, toMs, step * 1000);
    return {
      ok: true as const,
      data: {
        node: node.uuid, from: iso(fromMs), to: iso(toMs), step,
        resolution: source === 'metrics' ? ('raw' as const) : source === 'metrics_1m' ? ('1m' as const) : ('1h' as const),
        points: points.map((p) => ({ ...p, ts: iso(p.ts) })),
      },
    };
  });
}
