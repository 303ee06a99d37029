// Live streams of an agent as server-sent events. POST /api/agents/{id}/stream-tickets
// (authenticated) gives a single-use ticket that lives at most 60 s; the stream is then
// opened with it as `token=` (EventSource cannot send headers):
//   GET /api/agents/{id}/stream/logs?source=journald&unit=U&token=T | source=file&path=P&token=T
//   GET /api/agents/{id}/stream/metrics?token=T
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LogStreamQuery, MetricsStreamQuery, StreamTicket, StreamTicketBody, errors, type StreamKind } from '@breakwater/contracts';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { badRequest, forbidden } from '../errors.ts';
import { findNode } from '../services/nodes/nodes.ts';
import type { StreamRequest } from '../services/fleet/live-streams.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['agents'];

export async function fleetStreamRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/agents/:id/stream-tickets', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'A single-use ticket (≤ 60 s) that opens one log (operator) or metrics (viewer) stream of this agent', security,
      params: IdParams, body: StreamTicketBody, response: { 200: StreamTicket, ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req) => {
    const p = principalOf(req);
    const node = await findNode(ctx, p.workspaceId, req.params.id);
    const { ticket, expiresAt } = await ctx.fleet.tickets.issue(p, node, req.body.kind);
    await recordAudit(ctx, req, 'agent.stream.ticket', node.uuid, { kind: req.body.kind, expires_at: Math.floor(expiresAt / 1000) });
    return { ticket, kind: req.body.kind, expires_at: Math.floor(expiresAt / 1000), url: `/api/agents/${node.uuid}/stream/${req.body.kind}?token=${ticket}` };
  });

  /** The ticket is the credential: spent (once) before anything else is looked at. */
  const ticketAuth = (kind: StreamKind) => async (req: FastifyRequest) => {
    const token = (req.query as { token?: unknown }).token;
    if (typeof token !== 'string' || token.length === 0) throw forbidden('token: a stream ticket is required (POST /api/agents/{id}/stream-tickets)');
    const { principal, nodeId } = await ctx.fleet.tickets.spend(token, kind);
    req.principal = principal;
    (req as FastifyRequest & { ticketNode?: number }).ticketNode = nodeId;
  };

  async function serve(req: FastifyRequest, id: string, what: StreamRequest, reply: FastifyReply): Promise<void> {
    const p = principalOf(req);
    const node = await findNode(ctx, p.workspaceId, id);
    if ((req as FastifyRequest & { ticketNode?: number }).ticketNode !== node.id) throw forbidden('token: this ticket was issued for another agent');
    const takeover = await ctx.fleet.streams.open(node, what, { workspaceId: p.workspaceId, actor: p.actor, requestId: req.id });
    reply.hijack();
    reply.raw.setHeader('x-request-id', req.id);
    takeover(reply.raw);
  }

  r.get('/agents/:id/stream/logs', {
    onRequest: ticketAuth('logs'),
    schema: {
      tags, summary: 'SSE: log lines of a systemd unit (journalctl) or of a file inside the roots the agent allows; `ready`, `log`, `end` events',
      params: IdParams, querystring: LogStreamQuery, response: { ...errors(400, 401, 403, 404, 409, 503, 504) },
    },
  }, async (req, reply) => {
    const q = req.query;
    if (q.source === 'journald' && q.unit === undefined) throw badRequest('unit: is required when source is journald (a systemd unit name, e.g. nginx.service)');
    if (q.source === 'file' && q.path === undefined) throw badRequest('path: is required when source is file (an absolute path inside the agent\'s file_roots)');
    if (q.source === 'journald' && q.path !== undefined) throw badRequest('path: only with source=file');
    if (q.source === 'file' && q.unit !== undefined) throw badRequest('unit: only with source=journald');
    await serve(req, req.params.id, q.source === 'journald' ? { kind: 'logs', source: 'journald', unit: q.unit! } : { kind: 'logs', source: 'file', path: q.path! }, reply);
  });

  r.get('/agents/:id/stream/metrics', {
    onRequest: ticketAuth('metrics'),
    schema: {
      tags, summary: 'SSE: a `metrics` event (host cpu/memory/disk/uptime and traffic) every 5 s', params: IdParams, querystring: MetricsStreamQuery,
      response: { ...errors(400, 401, 403, 404, 409, 503, 504) },
    },
  }, async (req, reply) => {
    await serve(req, req.params.id, { kind: 'metrics' }, reply);
  });
}
