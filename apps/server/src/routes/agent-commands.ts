// Fleet agents API (fleet-agents-api.md): send a command to an agent, and its history.
// An agent is a node seen as the process running there: {id} is the node's UUID.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CommandBody, CommandInfo, CommandQueued, errors } from '@breakwater/contracts';
import { commands, fromJson } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { checkExecCaller } from '../services/commands/command-guard.ts';
import { findNode } from '../services/nodes/nodes.ts';
import { iso, isoOrNull } from '../services/present.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['agents'];

export async function agentCommandRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/agents/:id/commands', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Queue a typed command (firewall intent) for an agent; exec needs an admin and the agent\'s opt-in', security, params: IdParams, body: CommandBody, response: { 200: CommandQueued, ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const { type, params } = req.body;
    if (type === 'exec') checkExecCaller(principalOf(req));
    const node = await findNode(ctx, principalOf(req).workspaceId, req.params.id);
    const { id } = await ctx.commands.queue(node, type, params, principalOf(req).actor);
    await recordAudit(ctx, req, 'agent.command', node.uuid, { command_id: id, type, params });
    return { command_id: `cmd_${id}`, status: 'queued' };
  });

  r.get('/agents/:id/commands', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'The last 100 commands of an agent, with status', security, params: IdParams, response: { 200: Type.Array(CommandInfo), ...errors(401, 404, 429) } },
  }, async (req) => {
    const node = await findNode(ctx, principalOf(req).workspaceId, req.params.id);
    return (await commands.listCommands(ctx.db, node.id, 100)).map((c) => {
      const p = fromJson<{ params?: unknown }>(c.payload, {});
      return {
        command_id: `cmd_${c.id}`, type: c.command_type, params: p.params ?? null, title: c.title, status: c.status, error: c.error,
        created_by: c.created_by, created_at: iso(c.created_at), acked_at: isoOrNull(c.acked_at),
      };
    });
  });
}
