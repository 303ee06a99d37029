// Mitigation adapters (full-api.md): list, create/update, delete (withdrawing first), test; the
// rules live in services/mitigation/adapter-admin.ts.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AdapterBody, AdapterDeleted, AdapterInfo, AdapterTestResult, AdapterTypeInfo, Ok, errors } from '@breakwater/contracts';
import { mitigation as repo } from '@breakwater/db';
import { adapterTypes } from '@breakwater/mitigation';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { createAdapter, deleteAdapter, ownAdapter, testAdapter, updateAdapter, viewAdapter } from '../services/mitigation/adapter-admin.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['mitigation'];

export async function mitigationAdapterRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // The dashboard draws its adapter form from this: each type's endpoint, token and config schema.
  r.get('/mitigation/adapter-types', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Adapter types: what each endpoint is, whether auth_token is needed, capabilities, and the config JSON Schema', security, response: { 200: Ok(Type.Array(AdapterTypeInfo)), ...errors(401, 429) } },
  }, async () => ({ ok: true as const, data: adapterTypes() }));

  r.get('/mitigation/adapters', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Mitigation adapters with status and capabilities (secrets masked)', security, response: { 200: Ok(Type.Array(AdapterInfo)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: await Promise.all((await repo.listAdapters(ctx.db, principalOf(req).workspaceId)).map((a) => viewAdapter(ctx, a))) }));

  r.post('/mitigation/adapters', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Create an adapter', security, body: AdapterBody, response: { 201: Ok(AdapterInfo), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const row = await createAdapter(ctx, principalOf(req).workspaceId, req.body);
    await recordAudit(ctx, req, 'mitigation.adapter.create', row.id, { name: row.name, adapter_type: row.adapter_type, endpoint: row.endpoint });
    void reply.code(201);
    return { ok: true as const, data: await viewAdapter(ctx, row) };
  });

  r.put('/mitigation/adapters/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Update an adapter (a masked auth_token keeps the stored one)', security, params: IdParams, body: AdapterBody, response: { 200: Ok(AdapterInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const next = await updateAdapter(ctx, await ownAdapter(ctx, principalOf(req).workspaceId, req.params.id), req.body);
    await recordAudit(ctx, req, 'mitigation.adapter.update', next.id, { name: next.name, endpoint: next.endpoint });
    return { ok: true as const, data: await viewAdapter(ctx, next) };
  });

  r.delete('/mitigation/adapters/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Delete an adapter, withdrawing its active rules first', security, params: IdParams, response: { 200: Ok(AdapterDeleted), ...errors(401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const cur = await ownAdapter(ctx, p.workspaceId, req.params.id);
    const withdrawn = await deleteAdapter(ctx, cur, p.actor);
    await recordAudit(ctx, req, 'mitigation.adapter.delete', cur.id, { name: cur.name, withdrawn_rules: withdrawn });
    return { ok: true as const, data: { id: cur.id, deleted: true, withdrawn_rules: withdrawn } };
  });

  r.post('/mitigation/adapters/:id/test', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Test connectivity and authentication, with latency', security, params: IdParams, response: { 200: Ok(AdapterTestResult), ...errors(400, 401, 403, 404, 429) } },
  }, async (req) => ({ ok: true as const, data: await testAdapter(ctx, await ownAdapter(ctx, principalOf(req).workspaceId, req.params.id)) }));
}
