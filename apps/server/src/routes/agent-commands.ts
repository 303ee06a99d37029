// Fleet agents API (fleet-agents-api.md): send a command to an agent, and its history.
// An agent is a node seen as the process running there: {id} is the node's UUID.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { COMMAND_PARAMS, CommandBody, CommandInfo, CommandQueued, errors, type CommandType } from '@breakwater/contracts';
import { commands, fromJson } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { findNode } from '../services/nodes.ts';
import { iso, isoOrNull } from '../services/present.ts';
import { validateValue } from '../validation.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['agents'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** What a field agent shows for the command (command_text); the agent acts on the typed payload. */
export function describeCommand(type: CommandType, params: Record<string, unknown>): string {
  // params passed the type's schema: every value here is a string or a number
  const p = params as Record<string, string | number | string[] | undefined>;
  const ttl = p.ttl ?? 600;
  switch (type) {
    case 'block_source': return `block source ${String(p.address)} for ${ttl}s`;
    case 'block_prefix': return `block prefix ${String(p.prefix)} for ${ttl}s`;
    case 'drop_port': return `drop ${String(p.protocol)} port ${String(p.port)} for ${ttl}s`;
    case 'drop_protocol': return `drop ${String(p.protocol)} for ${ttl}s`;
    case 'rate_limit': return `rate-limit ${String(p.protocol)}${p.port ? ` port ${String(p.port)}` : ''} to ${String(p.pps)} pps for ${ttl}s`;
    case 'syn_protection': return `limit SYN to ${String(p.pps)} pps for ${ttl}s`;
    case 'exec': return `exec ${(params.argv as string[]).join(' ')}`;
  }
}

export async function agentCommandRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/agents/:id/commands', {
    preHandler: ctx.auth.api('operator'),
    schema: { tags, summary: 'Queue a typed command (firewall intent) for an agent', security, params: IdParams, body: CommandBody, response: { 200: CommandQueued, ...errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const node = await findNode(ctx, req.principal!.workspaceId, req.params.id);
    const { type, params } = req.body;
    const problem = validateValue(COMMAND_PARAMS[type], params, 'params');
    if (problem) throw badRequest(problem);
    if (type === 'block_prefix') {
      const [addr, len] = String(params.prefix).split('/');
      const max = String(addr).includes(':') ? 128 : 32;
      if (Number(len) > max) throw badRequest(`params.prefix: the length must be at most ${max}`);
    }
    const now = ctx.clock.now();
    const text = describeCommand(type, params);
    const id = await commands.insertCommand(ctx.db, {
      workspace_id: node.workspace_id, node_id: node.id, command_type: type, command_text: text, title: text,
      payload: JSON.stringify({ type, params }), status: 'pending', error: null, created_by: req.principal!.actor, created_at: now, acked_at: null,
      expires_at: now + 3_600_000, // an agent that has not fetched it within an hour must not act on it late
    });
    await recordAudit(ctx, req, 'agent.command', node.uuid, { command_id: id, type, params });
    return { command_id: `cmd_${id}`, status: 'queued' };
  });

  r.get('/agents/:id/commands', {
    preHandler: ctx.auth.api('viewer'),
    schema: { tags, summary: 'The last 100 commands of an agent, with status', security, params: IdParams, response: { 200: Type.Array(CommandInfo), ...errors(401, 404, 429) } },
  }, async (req) => {
    const node = await findNode(ctx, req.principal!.workspaceId, req.params.id);
    return (await commands.listCommands(ctx.db, node.id, 100)).map((c) => {
      const p = fromJson<{ params?: unknown }>(c.payload, {});
      return {
        command_id: `cmd_${c.id}`, type: c.command_type, params: p.params ?? null, title: c.title, status: c.status, error: c.error,
        created_by: c.created_by, created_at: iso(c.created_at), acked_at: isoOrNull(c.acked_at),
      };
    });
  });
}
