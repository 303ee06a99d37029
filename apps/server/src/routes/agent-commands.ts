// Fleet agents API (fleet-agents-api.md): send a command to an agent, and its history.
// An agent is a node seen as the process running there: {id} is the node's UUID. Who may send
// which type comes from the registry's risk tiers (contracts/fleet-commands.ts); every command
// is stored signed and audited, refused ones too.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { COMMAND_REGISTRY, COMMAND_TYPES, CommandBody, CommandInfo, CommandQueued, CommandTypeInfo, ROLE_COMMAND_RISKS, errors } from '@breakwater/contracts';
import { commands } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { AppError, forbidden } from '../errors.ts';
import { checkCommandCaller } from '../services/commands/command-guard.ts';
import { presentCommandInfo } from '../services/commands/present-command.ts';
import { findNode } from '../services/nodes/nodes.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['agents'];

/** The last commands shown per agent (fleet-agents-api.md: the last 100). */
export const COMMAND_HISTORY = 100;

export async function agentCommandRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // The registry as the dashboard's command console reads it: each type's params as JSON Schema,
  // its risk tier and timeout, and whether the caller's role may send it.
  r.get('/agents/command-types', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'The command types: params schema, risk tier, timeout, and whether your role may send each', security, response: { 200: Type.Array(CommandTypeInfo), ...errors(401, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const risks = p.kind === 'node' ? [] : ROLE_COMMAND_RISKS[p.role];
    return COMMAND_TYPES.map((type) => {
      const s = COMMAND_REGISTRY[type];
      return { type, risk: s.risk, timeout: s.timeout, summary: s.summary, params: s.params, allowed: risks.includes(s.risk) && !(p.kind === 'deploy' && s.risk === 'high') };
    });
  });

  r.post('/agents/:id/commands', {
    // Viewers pass authentication so that their refusal is audited, before the body is validated.
    onRequest: ctx.auth.api('viewer'),
    preValidation: async (req) => {
      const p = principalOf(req);
      if (p.kind !== 'node' && p.role === 'viewer') {
        const type = (req.body as { type?: unknown } | undefined)?.type;
        const reason = 'the viewer role may send no commands; operators send low and medium risk types, admins all';
        await recordAudit(ctx, req, 'agent.command', req.params.id, { type: typeof type === 'string' ? type.slice(0, 64) : null, result: 'refused', status: 403, reason });
        throw forbidden(reason);
      }
    },
    schema: {
      tags, security, params: IdParams, body: CommandBody, response: { 200: CommandQueued, ...errors(400, 401, 403, 404, 409, 429) },
      summary: 'Queue a typed, signed command for an agent: operators send low and medium risk types, admins all; shell and exec also need the agent\'s own opt-in',
    },
  }, async (req) => {
    const { type, params } = req.body;
    const p = principalOf(req);
    const node = await findNode(ctx, p.workspaceId, req.params.id);
    try {
      checkCommandCaller(p, type);
      const { id } = await ctx.commands.queue(node, type, params, p.actor);
      await recordAudit(ctx, req, 'agent.command', node.uuid, { command_id: `cmd_${id}`, type, params, result: 'queued' });
      return { command_id: `cmd_${id}`, status: 'queued' };
    } catch (err) {
      if (err instanceof AppError) await recordAudit(ctx, req, 'agent.command', node.uuid, { type, params, result: 'refused', status: err.status, reason: err.message });
      throw err;
    }
  });

  r.get('/agents/:id/commands', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'The last 100 commands of an agent, with status, exit code and output', security, params: IdParams, response: { 200: Type.Array(CommandInfo), ...errors(401, 404, 429) } },
  }, async (req) => {
    const node = await findNode(ctx, principalOf(req).workspaceId, req.params.id);
    return (await commands.listCommands(ctx.db, node.id, COMMAND_HISTORY)).map((c) => presentCommandInfo(c, ctx.clock.now()));
  });
}
