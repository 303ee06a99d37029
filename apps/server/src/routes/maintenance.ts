import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MaintenanceWindow, MaintenanceWindowBody, Ok, errors } from '@breakwater/contracts';
import { deliveries, fromJson, type MaintenanceWindowRow } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { badRequest } from '../errors.ts';
import { iso } from '../services/present.ts';
import { deleteRoute } from './delete-route.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['alerting'];
const present = (w: MaintenanceWindowRow) => ({
  id: w.id, name: w.name, starts_at: iso(w.starts_at), ends_at: iso(w.ends_at), nodes: fromJson<string[]>(w.nodes, []), created_at: iso(w.created_at),
});

/** Maintenance windows: while one covers a node, its incidents notify nobody (recorded as suppressed). */
export async function maintenanceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/maintenance-windows', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Maintenance windows', security, response: { 200: Ok(Type.Array(MaintenanceWindow)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: (await deliveries.listMaintenanceWindows(ctx.db, principalOf(req).workspaceId)).map(present) }));

  r.post('/maintenance-windows', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create a maintenance window', security, body: MaintenanceWindowBody, response: { 201: Ok(MaintenanceWindow), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const b = req.body;
    const starts = Date.parse(b.starts_at);
    const ends = Date.parse(b.ends_at);
    if (!(ends > starts)) throw badRequest('ends_at: must be after starts_at');
    if (ends - starts > 90 * 86_400_000) throw badRequest('ends_at: a window lasts at most 90 days');
    const row: MaintenanceWindowRow = {
      id: randomUUID(), workspace_id: principalOf(req).workspaceId, name: b.name, starts_at: starts, ends_at: ends,
      nodes: JSON.stringify((b.nodes ?? []).map((n) => n.toLowerCase())), created_by: principalOf(req).actor, created_at: ctx.clock.now(),
    };
    await deliveries.insertMaintenanceWindow(ctx.db, row);
    await recordAudit(ctx, req, 'maintenance.create', row.id, { name: b.name, starts_at: b.starts_at, ends_at: b.ends_at });
    void reply.status(201);
    return { ok: true as const, data: present(row) };
  });

  deleteRoute(app, ctx, {
    path: '/maintenance-windows/:id', tags, summary: 'Delete a maintenance window', what: 'Maintenance window', action: 'maintenance.delete', remove: deliveries.deleteMaintenanceWindow,
  });
}
