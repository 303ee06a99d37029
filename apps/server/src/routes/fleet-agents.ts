// GET /api/agents, GET /api/agents/{id}, POST /api/agents/{id}/report, DELETE /api/agents/{id}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AgentDeleted, AgentDetail, AgentListItem, AgentListQuery, AgentReportBody, AgentReportReply, errors } from '@breakwater/contracts';
import { recordAudit, type AppContext } from '../context.ts';
import { nodeOf, principalOf } from '../auth/principal.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { agentDetail, deleteAgent, listAgents, recordReport } from '../services/fleet/agents.ts';
import { findNode } from '../services/nodes/nodes.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security, NODE_SECURITY } from './security.ts';

const tags = ['agents'];

export async function fleetAgentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const nodeAuth = ctx.auth.node();

  /**
   * The reference's agents send `X-Agent-Key: <key>` with the agent id in the path; ours send
   * the node credentials (Bearer + X-Node-UUID). Both go through the one node-key check.
   */
  async function agentKey(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = req.headers['x-agent-key'];
    const id = (req.params as { id?: string }).id ?? '';
    if (typeof key === 'string' && req.headers.authorization === undefined) {
      req.headers.authorization = `Bearer ${key.trim()}`;
      req.headers['x-node-uuid'] ??= id.toLowerCase();
    } else if (req.headers.authorization === undefined) {
      throw unauthorized('Missing agent key: send X-Agent-Key, or the node key as Bearer with X-Node-UUID');
    }
    await nodeAuth(req, reply);
    if (nodeOf(req).uuid !== id.toLowerCase()) throw forbidden('An agent reports only for itself: the key belongs to another agent');
  }

  r.get('/agents', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'Every agent of the workspace, with status, last contact (epoch seconds) and whether it is older than this server (?outdated=true lists only those)',
      security, querystring: AgentListQuery, response: { 200: Type.Array(AgentListItem), ...errors(400, 401, 403, 429) },
    },
  }, async (req) => listAgents(ctx, principalOf(req).workspaceId, req.query.outdated === undefined ? {} : { outdated: req.query.outdated === 'true' }));

  r.get('/agents/:id', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'One agent with its current metrics snapshot (host and traffic)', security, params: IdParams, response: { 200: AgentDetail, ...errors(401, 403, 404, 429) } },
  }, async (req) => agentDetail(ctx, await findNode(ctx, principalOf(req).workspaceId, req.params.id)));

  r.post('/agents/:id/report', {
    onRequest: agentKey,
    schema: {
      tags, summary: 'The agent\'s host report (every 30 s): cpu, memory, disk, uptime. X-Agent-Key, or the node key with X-Node-UUID',
      security: NODE_SECURITY, params: IdParams, body: AgentReportBody, response: { 200: AgentReportReply, ...errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    const at = await recordReport(ctx, nodeOf(req), req.body);
    return { ok: true as const, received_at: Math.floor(at / 1000) };
  });

  r.delete('/agents/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: {
      tags, summary: 'Remove an agent and all its history (its live rules are withdrawn first)', security, params: IdParams,
      response: { 200: AgentDeleted, ...errors(401, 403, 404, 429) },
    },
  }, async (req) => {
    const p = principalOf(req);
    const node = await findNode(ctx, p.workspaceId, req.params.id);
    const done = await deleteAgent(ctx, node, p.actor);
    await recordAudit(ctx, req, 'agent.delete', node.uuid, { name: node.name, ip: node.ip, rules_withdrawn: done.withdrawn, rules_still_withdrawing: done.failed, pcaps_removed: done.pcaps });
    return { status: 'deleted' as const };
  });
}
