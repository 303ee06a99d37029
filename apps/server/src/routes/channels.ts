import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CHANNEL_CONFIG_SCHEMAS, CHANNEL_SECRET_KEYS, Channel, ChannelCreateBody, ChannelUpdateBody, DeliveriesQuery, DeliveryWithAttempts, Ok, OkPage, Queued, errors,
  type ChannelType, type DELIVERY_STATUSES,
} from '@breakwater/contracts';
import { channels, deliveries, fromJson, type ChannelRow } from '@breakwater/db';
import { checkChannelReach, normaliseChannelConfig, testNotification } from '@breakwater/notify';
import { reachOf } from '../outbound-config.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { badRequest, notFound } from '../errors.ts';
import { iso, isoOrNull, presentChannel } from '../services/present.ts';
import { validateValue } from '../validation.ts';
import { deleteRoute } from './delete-route.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['channels'];

/** The reference's key names (`webhook_url` for a webhook…) moved to ours; both given is a 400. */
function normalise(type: ChannelType, config: Record<string, unknown>): Record<string, unknown> {
  const n = normaliseChannelConfig(type, config);
  if (n.conflict) throw badRequest(n.conflict);
  return n.config as Record<string, unknown>;
}

/** The schema, then the outbound policy for this channel type (a refused destination is a 400 naming the key). */
async function checkConfig(ctx: AppContext, type: ChannelType, config: Record<string, unknown>): Promise<void> {
  const problem = validateValue(CHANNEL_CONFIG_SCHEMAS[type], config, 'config');
  if (problem) throw badRequest(problem);
  const refused = await checkChannelReach(type, config, reachOf(ctx.config.outbound.channels, type));
  if (refused) throw badRequest(refused);
}

/** A secret sent back as its mask ("****abcd") means "unchanged": keep the stored value. */
function mergeSecrets(type: ChannelType, stored: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const out = { ...next };
  for (const key of CHANNEL_SECRET_KEYS[type] ?? []) {
    if (out[key] === '****' || (typeof out[key] === 'string' && /^\*{4}.{0,4}$/.test(out[key]))) out[key] = stored[key];
  }
  return out;
}

export async function channelRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const own = async (ws: string, id: string): Promise<ChannelRow> => {
    const row = await channels.getChannel(ctx.db, ws, id);
    if (!row) throw notFound('Channel');
    return row;
  };

  r.get('/channels', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'List notification channels', security, response: { 200: Ok(Type.Array(Channel)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: (await channels.listChannels(ctx.db, principalOf(req).workspaceId)).map(presentChannel) }));

  r.post('/channels', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create a notification channel', security, body: ChannelCreateBody, response: { 201: Ok(Channel), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const b = req.body;
    const config = normalise(b.type, b.config);
    await checkConfig(ctx, b.type, config);
    const now = ctx.clock.now();
    const row: ChannelRow = {
      id: randomUUID(), workspace_id: principalOf(req).workspaceId, name: b.name, type: b.type, config: JSON.stringify(config),
      enabled: b.enabled === false ? 0 : 1, min_severity: b.min_severity ?? 'low', filters: JSON.stringify(b.filters ?? {}), created_at: now, updated_at: now,
    };
    await channels.insertChannel(ctx.db, row);
    await recordAudit(ctx, req, 'channel.create', row.id, { name: b.name, type: b.type });
    void reply.status(201);
    return { ok: true as const, data: presentChannel(row) };
  });

  r.patch('/channels/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Update a channel (only the fields sent)', security, params: IdParams, body: ChannelUpdateBody, response: { 200: Ok(Channel), ...errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const cur = await own(ws, req.params.id);
    const b = req.body;
    const type = cur.type as ChannelType;
    const config = b.config ? mergeSecrets(type, fromJson<Record<string, unknown>>(cur.config, {}), normalise(type, b.config)) : undefined;
    if (config) await checkConfig(ctx, type, config);
    await channels.updateChannel(ctx.db, ws, cur.id, {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(config ? { config: JSON.stringify(config) } : {}),
      ...(b.enabled !== undefined ? { enabled: b.enabled ? 1 : 0 } : {}),
      ...(b.min_severity !== undefined ? { min_severity: b.min_severity } : {}),
      ...(b.filters !== undefined ? { filters: JSON.stringify(b.filters) } : {}),
      // a new version: the outbox builds a fresh channel from the new config
      updated_at: Math.max(ctx.clock.now(), cur.updated_at + 1),
    });
    await recordAudit(ctx, req, 'channel.update', cur.id, { fields: Object.keys(b) });
    return { ok: true as const, data: presentChannel((await channels.getChannel(ctx.db, ws, cur.id))!) };
  });

  deleteRoute(app, ctx, { path: '/channels/:id', tags, summary: 'Delete a notification channel', what: 'Channel', action: 'channel.delete', remove: channels.deleteChannel });

  r.post('/channels/:id/test', {
    onRequest: ctx.auth.api('operator'),
    schema: {
      tags, summary: 'Send a test message through the outbox (see its deliveries for the result)', security, params: IdParams,
      response: { 202: Ok(Queued), ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req, reply) => {
    const ch = await own(principalOf(req).workspaceId, req.params.id);
    // Saved before the policy (or before the operator withdrew a grant): refused here, not sent.
    const refused = await checkChannelReach(ch.type as ChannelType, fromJson<Record<string, unknown>>(ch.config, {}), reachOf(ctx.config.outbound.channels, ch.type));
    if (refused) throw badRequest(refused);
    await ctx.alerts.test(ch, testNotification(ctx.clock.now(), ctx.config.publicUrl ?? null));
    await recordAudit(ctx, req, 'channel.test', ch.id);
    void reply.status(202);
    return { ok: true as const, data: { queued: true } };
  });

  r.get('/channels/:id/deliveries', {
    onRequest: ctx.auth.api('viewer'),
    schema: {
      tags, summary: 'Delivery history of a channel, newest first, with every attempt', security, params: IdParams,
      querystring: DeliveriesQuery,
      response: { 200: OkPage(DeliveryWithAttempts), ...errors(400, 401, 404, 429) },
    },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const ch = await own(ws, req.params.id);
    const { limit = 50, offset = 0, status } = req.query;
    const { rows, total } = await deliveries.listDeliveries(ctx.db, ws, { channelId: ch.id, status, limit, offset });
    const attempts = await deliveries.attemptsFor(ctx.db, rows.map((d) => d.id));
    return {
      ok: true as const,
      data: rows.map((d) => ({
        id: d.id, channel_id: d.channel_id, incident_uuid: d.incident_uuid, event: d.event, status: d.status as (typeof DELIVERY_STATUSES)[number],
        attempts: d.attempts, next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null, last_status_code: d.last_status_code,
        last_error: d.last_error, created_at: iso(d.created_at), delivered_at: isoOrNull(d.delivered_at),
        attempts_log: attempts.filter((a) => a.delivery_id === d.id).map((a) => ({
          attempt: a.attempt, started_at: iso(a.started_at), duration_ms: a.duration_ms, outcome: a.outcome, status_code: a.status_code, detail: a.detail,
        })),
      })),
      meta: { total, limit, offset },
    };
  });
}
