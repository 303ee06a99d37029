// Adapters as operators manage them (full-api.md): create and update (the adapter judges its own
// options, the outbound policy its endpoint), delete (withdrawing first), connectivity test.
import { randomUUID } from 'node:crypto';
import type { AdapterBody } from '@breakwater/contracts';
import { fromJson, mitigation as repo, type AdapterRow } from '@breakwater/db';
import { AdapterError, checkAdapterReach, isMask, keepMaskedSecrets, type MitigationAdapter } from '@breakwater/mitigation';
import type { AppContext } from '../../context.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { presentAdapter } from './present.ts';

const DEFAULT_CAP = 1000;

type Settings = Pick<AdapterRow, 'adapter_type' | 'endpoint' | 'auth_token' | 'config'>;
type Fields = Pick<AdapterRow, 'adapter_type' | 'endpoint' | 'auth_token' | 'config' | 'name' | 'capabilities' | 'max_active_rules'>;

/** An adapter's own complaint about its settings becomes a 400 naming the key as the API spells it (options.x is config.x). */
function asBadRequest(err: unknown): never {
  if (err instanceof AdapterError && err.key !== undefined) {
    throw badRequest(`${err.key.replace(/^options(?=\.|$)/, 'config')}${err.message.slice(err.key.length)}`);
  }
  const msg = err instanceof Error ? err.message : String(err);
  throw badRequest(err instanceof AdapterError ? msg : `config: ${msg}`);
}

function build(ctx: AppContext, row: Settings): MitigationAdapter {
  try {
    return ctx.adapters.build(row);
  } catch (err) {
    return asBadRequest(err);
  }
}

/** Options are the adapter's to judge: start a fresh instance and turn its option errors into 400s. */
async function checkOptions(ctx: AppContext, row: Settings): Promise<string | null> {
  const adapter = build(ctx, row);
  try {
    await adapter.start();
    return null;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof AdapterError && !err.retryable && err.key !== undefined) asBadRequest(err);
    return msg; // reachable later, perhaps: saved, and shown as down
  } finally {
    await adapter.stop().catch(() => undefined);
  }
}

/** The outbound policy for this adapter type: an endpoint out of reach is a 400 naming the key. */
async function checkReach(ctx: AppContext, type: string, endpoint: string): Promise<void> {
  const refused = await checkAdapterReach(endpoint, ctx.adapters.reachOf(type));
  if (refused) throw badRequest(refused);
}

async function fieldsFrom(ctx: AppContext, b: AdapterBody, base: Partial<AdapterRow>): Promise<Fields> {
  await checkReach(ctx, b.adapter_type, b.endpoint);
  // Secrets sent back masked (header values, tokens) keep the stored ones.
  const config = JSON.stringify(base.config ? keepMaskedSecrets(fromJson<Record<string, unknown>>(base.config, {}), b.config ?? {}) : (b.config ?? {}));
  const built = build(ctx, { adapter_type: b.adapter_type, endpoint: b.endpoint, auth_token: b.auth_token ?? base.auth_token ?? null, config });
  const supported = [...built.capabilities];
  const caps = b.capabilities ?? supported;
  const unsupported = caps.filter((c) => !supported.includes(c));
  if (unsupported.length > 0) throw badRequest(`capabilities: the ${b.adapter_type} adapter cannot carry ${unsupported.join(', ')} (it supports ${supported.join(', ') || 'nothing'})`);
  return {
    adapter_type: b.adapter_type, name: b.name.trim(), endpoint: b.endpoint.trim(),
    auth_token: b.auth_token === undefined || isMask(b.auth_token) ? (base.auth_token ?? null) : b.auth_token,
    config, capabilities: JSON.stringify(caps), max_active_rules: b.max_active_rules ?? base.max_active_rules ?? DEFAULT_CAP,
  };
}

/** The API view, with how many live rules the adapter carries. */
export async function viewAdapter(ctx: AppContext, a: AdapterRow) {
  return presentAdapter(a, await repo.countLiveRulesOfAdapter(ctx.db, a.id));
}

export async function ownAdapter(ctx: AppContext, workspaceId: string, id: string): Promise<AdapterRow> {
  const row = await repo.getAdapter(ctx.db, workspaceId, id);
  if (!row) throw notFound('Adapter');
  return row;
}

export async function createAdapter(ctx: AppContext, workspaceId: string, b: AdapterBody): Promise<AdapterRow> {
  const now = ctx.clock.now();
  const fields = await fieldsFrom(ctx, b, {});
  const problem = await checkOptions(ctx, fields);
  const row: AdapterRow = {
    id: randomUUID(), workspace_id: workspaceId, ...fields, status: problem ? 'down' : 'up', last_test_at: null, last_latency_ms: null,
    last_error: problem, created_at: now, updated_at: now,
  };
  await repo.insertAdapter(ctx.db, row);
  return row;
}

export async function updateAdapter(ctx: AppContext, cur: AdapterRow, b: AdapterBody): Promise<AdapterRow> {
  if (b.adapter_type !== cur.adapter_type && (await repo.countLiveRulesOfAdapter(ctx.db, cur.id)) > 0) {
    throw conflict('adapter_type: cannot change while the adapter carries active rules; withdraw them first');
  }
  const fields = await fieldsFrom(ctx, b, cur);
  const problem = await checkOptions(ctx, fields);
  const next: AdapterRow = { ...cur, ...fields, status: problem ? 'down' : 'up', last_error: problem, updated_at: Math.max(ctx.clock.now(), cur.updated_at + 1) };
  await repo.updateAdapter(ctx.db, cur.id, next);
  // Rules it carries follow it to the new settings at once.
  await ctx.mitigation.reconcile(next).catch(() => undefined);
  return next;
}

/** Withdraws its live rules, then deletes it; kept (409) while any could not be withdrawn. */
export async function deleteAdapter(ctx: AppContext, cur: AdapterRow, by: string): Promise<number> {
  const { withdrawn, failed } = await ctx.mitigation.withdrawAllOf(cur, by);
  if (failed > 0) throw conflict(`${failed} active rule(s) could not be withdrawn from ${cur.name}; the adapter is kept so they can be retried`, 'withdraw_failed');
  await repo.deleteAdapter(ctx.db, cur.workspace_id, cur.id);
  await ctx.adapters.forget(cur.id);
  return withdrawn;
}

/** Connectivity and authentication through a fresh instance; the outcome is stored as the adapter's health. */
export async function testAdapter(ctx: AppContext, cur: AdapterRow): Promise<{ ok: boolean; latency_ms: number; message: string }> {
  // Saved before the policy (or before the operator withdrew a grant): refused, not called.
  await checkReach(ctx, cur.adapter_type, cur.endpoint);
  let result: { ok: boolean; latency_ms: number; message: string };
  let adapter: MitigationAdapter | null = null;
  try {
    adapter = ctx.adapters.build(cur);
    result = await adapter.test();
  } catch (err) {
    result = { ok: false, latency_ms: 0, message: err instanceof Error ? err.message : String(err) };
  } finally {
    await adapter?.stop().catch(() => undefined);
  }
  const latency = Math.max(0, Math.round(result.latency_ms));
  await repo.setAdapterHealth(ctx.db, cur.id, { status: result.ok ? 'up' : 'down', last_test_at: ctx.clock.now(), last_latency_ms: latency, last_error: result.ok ? null : result.message });
  return { ok: result.ok, latency_ms: latency, message: result.message };
}
