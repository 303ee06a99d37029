// Mitigation adapters (full-api.md): list, create/update, delete (withdrawing first), test.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AdapterBody, AdapterInfo, AdapterTestResult, Ok, errors, type AdapterBody as Body } from '@breakwater/contracts';
import { fromJson, mitigation as repo, type AdapterRow } from '@breakwater/db';
import { AdapterError, checkAdapterReach, isMask, keepMaskedSecrets } from '@breakwater/mitigation';
import { recordAudit, type AppContext } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { presentAdapter } from '../services/mitigation/present.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['mitigation'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const DEFAULT_CAP = 1000;


export async function mitigationAdapterRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const own = async (ws: string, id: string): Promise<AdapterRow> => {
    const row = await repo.getAdapter(ctx.db, ws, id);
    if (!row) throw notFound('Adapter');
    return row;
  };
  const view = async (a: AdapterRow) => presentAdapter(a, await repo.countLiveRulesOfAdapter(ctx.db, a.id));

  /** An adapter's own complaint about its settings becomes a 400 that names the key. */
  const asBadRequest = (err: unknown): never => {
    const msg = err instanceof Error ? err.message : String(err);
    throw badRequest(err instanceof AdapterError ? msg.replace(/^options\./, 'config.') : `config: ${msg}`);
  };
  const build = (row: Pick<AdapterRow, 'adapter_type' | 'endpoint' | 'auth_token' | 'config'>) => {
    try {
      return ctx.adapters.build(row);
    } catch (err) {
      return asBadRequest(err);
    }
  };

  /** Options are the adapter's to judge: start a fresh instance and turn its option errors into 400s. */
  const checkOptions = async (row: Pick<AdapterRow, 'adapter_type' | 'endpoint' | 'auth_token' | 'config'>): Promise<string | null> => {
    const adapter = build(row);
    try {
      await adapter.start();
      return null;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (err instanceof AdapterError && !err.retryable && /^(options\.|endpoint|auth_token|config)/.test(msg)) asBadRequest(err);
      return msg; // reachable later, perhaps: saved, and shown as down
    } finally {
      await adapter.stop().catch(() => undefined);
    }
  };

  /** The outbound policy for this adapter type: an endpoint out of reach is a 400 naming the key. */
  const checkReach = async (type: string, endpoint: string) => {
    const refused = await checkAdapterReach(endpoint, ctx.adapters.reachOf(type));
    if (refused) throw badRequest(refused);
  };

  const rowFrom = async (b: Body, base: Partial<AdapterRow>): Promise<Pick<AdapterRow, 'adapter_type' | 'endpoint' | 'auth_token' | 'config' | 'name' | 'capabilities' | 'max_active_rules'>> => {
    await checkReach(b.adapter_type, b.endpoint);
    // Secrets sent back masked (header values, tokens) keep the stored ones.
    const config = JSON.stringify(base.config ? keepMaskedSecrets(fromJson<Record<string, unknown>>(base.config, {}), b.config ?? {}) : (b.config ?? {}));
    const built = build({ adapter_type: b.adapter_type, endpoint: b.endpoint, auth_token: b.auth_token ?? base.auth_token ?? null, config });
    const supported = [...built.capabilities];
    const caps = b.capabilities ?? supported;
    const unsupported = caps.filter((c) => !supported.includes(c));
    if (unsupported.length > 0) throw badRequest(`capabilities: the ${b.adapter_type} adapter cannot carry ${unsupported.join(', ')} (it supports ${supported.join(', ') || 'nothing'})`);
    return {
      adapter_type: b.adapter_type, name: b.name.trim(), endpoint: b.endpoint.trim(),
      auth_token: b.auth_token === undefined || isMask(b.auth_token) ? (base.auth_token ?? null) : b.auth_token,
      config, capabilities: JSON.stringify(caps), max_active_rules: b.max_active_rules ?? base.max_active_rules ?? DEFAULT_CAP,
    };
  };

  r.get('/mitigation/adapters', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Mitigation adapters with status and capabilities (secrets masked)', security, response: { 200: Ok(Type.Array(AdapterInfo)), ...errors(401, 429) } },
  }, async (req) => ({ ok: true as const, data: await Promise.all((await repo.listAdapters(ctx.db, req.principal!.workspaceId)).map(view)) }));

  r.post('/mitigation/adapters', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Create an adapter', security, body: AdapterBody, response: { 201: Ok(AdapterInfo), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const now = ctx.clock.now();
    const fields = await rowFrom(req.body, {});
    const problem = await checkOptions(fields);
    const row: AdapterRow = {
      id: randomUUID(), workspace_id: req.principal!.workspaceId, ...fields, status: problem ? 'down' : 'up', last_test_at: null, last_latency_ms: null,
      last_error: problem, created_at: now, updated_at: now,
    };
    await repo.insertAdapter(ctx.db, row);
    await recordAudit(ctx, req, 'mitigation.adapter.create', row.id, { name: row.name, adapter_type: row.adapter_type, endpoint: row.endpoint });
    void reply.code(201);
    return { ok: true as const, data: await view(row) };
  });

  r.put('/mitigation/adapters/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Update an adapter (a masked auth_token keeps the stored one)', security, params: IdParams, body: AdapterBody, response: { 200: Ok(AdapterInfo), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const cur = await own(req.principal!.workspaceId, req.params.id);
    if (req.body.adapter_type !== cur.adapter_type && (await repo.countLiveRulesOfAdapter(ctx.db, cur.id)) > 0) {
      throw conflict('adapter_type: cannot change while the adapter carries active rules; withdraw them first');
    }
    const fields = await rowFrom(req.body, cur);
    const problem = await checkOptions(fields);
    const next: AdapterRow = { ...cur, ...fields, status: problem ? 'down' : 'up', last_error: problem, updated_at: Math.max(ctx.clock.now(), cur.updated_at + 1) };
    await repo.updateAdapter(ctx.db, cur.id, next);
    await recordAudit(ctx, req, 'mitigation.adapter.update', cur.id, { name: next.name, endpoint: next.endpoint });
    // Rules it carries follow it to the new settings at the next reconciliation.
    await ctx.mitigation.reconcile(next).catch(() => undefined);
    return { ok: true as const, data: await view(next) };
  });

  r.delete('/mitigation/adapters/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Delete an adapter, withdrawing its active rules first', security, params: IdParams, response: { 200: Ok(Type.Object({ id: Type.String(), deleted: Type.Boolean(), withdrawn_rules: Type.Integer() })), ...errors(401, 403, 404, 409, 429) } },
  }, async (req) => {
    const cur = await own(req.principal!.workspaceId, req.params.id);
    const { withdrawn, failed } = await ctx.mitigation.withdrawAllOf(cur, req.principal!.actor);
    if (failed > 0) throw conflict(`${failed} active rule(s) could not be withdrawn from ${cur.name}; the adapter is kept so they can be retried`, 'withdraw_failed');
    await repo.deleteAdapter(ctx.db, cur.workspace_id, cur.id);
    await ctx.adapters.forget(cur.id);
    await recordAudit(ctx, req, 'mitigation.adapter.delete', cur.id, { name: cur.name, withdrawn_rules: withdrawn });
    return { ok: true as const, data: { id: cur.id, deleted: true, withdrawn_rules: withdrawn } };
  });

  r.post('/mitigation/adapters/:id/test', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Test connectivity and authentication, with latency', security, params: IdParams, response: { 200: Ok(AdapterTestResult), ...errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const cur = await own(req.principal!.workspaceId, req.params.id);
    // Saved before the policy (or before the operator withdrew a grant): refused, not called.
    await checkReach(cur.adapter_type, cur.endpoint);
    let result: { ok: boolean; latency_ms: number; message: string };
    let adapter: ReturnType<typeof ctx.adapters.build> | null = null;
    try {
      adapter = ctx.adapters.build(cur);
      result = await adapter.test();
    } catch (err) {
      result = { ok: false, latency_ms: 0, message: err instanceof Error ? err.message : String(err) };
    } finally {
      await adapter?.stop().catch(() => undefined);
    }
    const latency = Math.max(0, Math.round(result.latency_ms));
    await ctx.db.updateTable('mitigation_adapters').set({ status: result.ok ? 'up' : 'down', last_test_at: ctx.clock.now(), last_latency_ms: latency, last_error: result.ok ? null : result.message })
      .where('id', '=', cur.id).execute();
    return { ok: true as const, data: { ok: result.ok, latency_ms: latency, message: result.message } };
  });
}

