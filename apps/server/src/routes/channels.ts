import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CHANNEL_CONFIG_SCHEMAS, Channel, ChannelCreateBody, Ok, errors } from '@breakwater/contracts';
import { channels } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { presentChannel } from '../services/present.ts';
import { validateValue } from '../validation.ts';

import { API_SECURITY as security } from './security.ts';
const tags = ['channels'];

export async function channelRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/channels', {
    preHandler: ctx.auth.api('viewer'),
    schema: { tags, summary: 'List notification channels', security, response: { 200: Ok(Type.Array(Channel)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: (await channels.listChannels(ctx.db, req.principal!.workspaceId)).map(presentChannel) }));

  r.post('/channels', {
    preHandler: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create a notification channel', security, body: ChannelCreateBody, response: { 201: Ok(Channel), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const b = req.body;
    const problem = validateValue(CHANNEL_CONFIG_SCHEMAS[b.type], b.config, 'config');
    if (problem) throw badRequest(problem);
    const now = ctx.clock.now();
    const row = {
      id: randomUUID(), workspace_id: req.principal!.workspaceId, name: b.name, type: b.type,
      config: JSON.stringify(b.config), enabled: b.enabled === false ? 0 : 1, created_at: now, updated_at: now,
    };
    await channels.insertChannel(ctx.db, row);
    await recordAudit(ctx, req, 'channel.create', row.id, { name: b.name, type: b.type });
    void reply.status(201);
    return { ok: true as const, data: presentChannel(row) };
  });

  r.delete('/channels/:id', {
    preHandler: ctx.auth.api('operator'),
    schema: {
      tags, summary: 'Delete a notification channel', security, params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 200: Ok(Type.Object({ id: Type.String(), deleted: Type.Boolean() })), ...errors(401, 403, 404, 429) },
    },
  }, async (req) => {
    if (!(await channels.deleteChannel(ctx.db, req.principal!.workspaceId, req.params.id))) throw notFound('Channel');
    await recordAudit(ctx, req, 'channel.delete', req.params.id);
    return { ok: true as const, data: { id: req.params.id, deleted: true } };
  });
}
