// Scrubbing integrations as admins manage them: create and update (the type's schema judges the
// config, the outbound policy its API URL; masked credentials sent back keep the stored ones),
// delete (withdrawing first), and the connectivity test whose outcome becomes the health.
import { randomUUID } from 'node:crypto';
import { scrubbingSecretKeys, type IntegrationBody, type IntegrationPatch, type ScrubbingType } from '@breakwater/contracts';
import { fromJson, scrubbing as repo, type ScrubbingIntegrationRow } from '@breakwater/db';
import { isMask } from '@breakwater/mitigation';
import { checkUrl } from '@breakwater/outbound';
import { scrubbingConfig, ScrubbingError } from '@breakwater/scrubbing';
import type { AppContext } from '../../context.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';

type Config = Record<string, unknown>;

/** A config problem as a 400 naming the key; anything else a provider says about its settings likewise. */
function asBadRequest(err: unknown): never {
  if (err instanceof ScrubbingError && err.kind === 'config') throw badRequest(err.message);
  throw badRequest(`config: ${err instanceof Error ? err.message : String(err)}`);
}

/** Masked credentials keep the stored value; every other key is as sent. */
function keepMasked(type: ScrubbingType, stored: Config, next: Config): Config {
  const out = { ...next };
  for (const k of scrubbingSecretKeys(type)) if (isMask(out[k]) && k in stored) out[k] = stored[k];
  return out;
}

async function checkConfig(ctx: AppContext, type: ScrubbingType, config: Config): Promise<string> {
  let checked: Config;
  try {
    checked = scrubbingConfig(type, config);
    ctx.scrubbing.pool.build({ integration_type: type, config: JSON.stringify(config) });
  } catch (err) {
    return asBadRequest(err);
  }
  const apiUrl = typeof checked.api_url === 'string' ? checked.api_url : null;
  if (apiUrl) {
    const refused = await checkUrl(apiUrl, ctx.scrubbing.pool.reachOf(type));
    if (refused) throw badRequest(`config.api_url: ${/^(is|must)/.test(refused) ? refused : `refused: ${refused}`} (grant it with --outbound-allow scrubbing.${type}=loopback,private)`);
  }
  return JSON.stringify(config);
}

export async function ownIntegration(ctx: AppContext, workspaceId: string, id: string): Promise<ScrubbingIntegrationRow> {
  const row = await repo.getIntegration(ctx.db, workspaceId, id);
  if (!row) throw notFound('Scrubbing integration');
  return row;
}

export async function createIntegration(ctx: AppContext, workspaceId: string, actor: string, b: IntegrationBody): Promise<ScrubbingIntegrationRow> {
  const now = ctx.clock.now();
  const row: ScrubbingIntegrationRow = {
    id: randomUUID(), workspace_id: workspaceId, name: b.name.trim(), integration_type: b.integration_type, config: await checkConfig(ctx, b.integration_type, b.config),
    target: null, enabled: b.enabled === false ? 0 : 1, status: 'unknown', last_test_at: null, last_latency_ms: null, last_error: null, created_at: now, updated_at: now,
  };
  await repo.insertIntegration(ctx.db, row);
  await ctx.scrubbing.recordEvent(row, 'created', actor, `${row.integration_type} integration ${row.name} created`);
  return row;
}

/** PUT replaces the settings (type included); PATCH changes the keys it names, its config merged over the stored one. */
export async function updateIntegration(ctx: AppContext, cur: ScrubbingIntegrationRow, actor: string, b: IntegrationBody | IntegrationPatch, partial: boolean): Promise<ScrubbingIntegrationRow> {
  const type = ('integration_type' in b ? b.integration_type : undefined) ?? (cur.integration_type as ScrubbingType);
  const active = await repo.activeDiversionsOf(ctx.db, cur.id);
  if (type !== cur.integration_type && active.some((d) => d.dry_run === 0)) throw conflict('integration_type: cannot change while the integration has open diversions; withdraw them first');
  const stored = fromJson<Config>(cur.config, {});
  const given = b.config === undefined ? stored : partial ? { ...stored, ...b.config } : b.config;
  if (type !== cur.integration_type) {
    const masked = scrubbingSecretKeys(type).find((k) => isMask(given[k]));
    if (masked) throw badRequest(`config.${masked}: give the credential itself; a masked value keeps a stored one only for the same integration_type`);
  }
  const config = await checkConfig(ctx, type, type === cur.integration_type ? keepMasked(type, stored, given) : given);
  const next: ScrubbingIntegrationRow = {
    ...cur, integration_type: type, name: b.name?.trim() ?? cur.name, config, enabled: b.enabled === undefined ? cur.enabled : b.enabled ? 1 : 0,
    updated_at: Math.max(ctx.clock.now(), cur.updated_at + 1),
  };
  await repo.updateIntegration(ctx.db, cur.id, { integration_type: next.integration_type, name: next.name, config: next.config, enabled: next.enabled, updated_at: next.updated_at });
  const changed = [next.name !== cur.name ? 'name' : null, next.config !== cur.config ? 'config' : null, next.enabled !== cur.enabled ? (next.enabled ? 'enabled' : 'disabled') : null].filter(Boolean);
  await ctx.scrubbing.recordEvent(next, 'updated', actor, `settings changed: ${changed.join(', ') || 'nothing'}`);
  return next;
}

/** Withdraws its open diversions, then deletes it; kept (409) while one could not be withdrawn. */
export async function deleteIntegration(ctx: AppContext, cur: ScrubbingIntegrationRow, actor: string): Promise<number> {
  const { withdrawn, failed } = await ctx.scrubbing.withdrawAllOf(cur, actor);
  if (failed > 0) throw conflict(`${failed} diversion(s) could not be withdrawn through ${cur.name}; the integration is kept so they can be retried`, 'withdraw_failed');
  await ctx.scrubbing.recordEvent(cur, 'deleted', actor, `integration ${cur.name} deleted`);
  await repo.deleteIntegration(ctx.db, cur.workspace_id, cur.id);
  ctx.scrubbing.pool.forget(cur.id);
  return withdrawn;
}

/** Connectivity and authentication through the provider, with the latency; stored as the health. */
export async function testIntegration(ctx: AppContext, cur: ScrubbingIntegrationRow, actor: string): Promise<{ ok: boolean; latency_ms: number; health: string; message: string }> {
  await checkConfig(ctx, cur.integration_type as ScrubbingType, fromJson<Config>(cur.config, {}));
  let result: { ok: boolean; latency_ms: number; health: string; message: string };
  try {
    const r = await ctx.scrubbing.pool.build(cur).test();
    result = { ok: r.ok, latency_ms: Math.max(0, Math.round(r.latency_ms)), health: r.health, message: r.ok ? 'connected and authenticated' : r.error?.message ?? 'failed' };
  } catch (err) {
    result = { ok: false, latency_ms: 0, health: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  await repo.setIntegrationHealth(ctx.db, cur.id, { status: result.health, last_test_at: ctx.clock.now(), last_latency_ms: result.latency_ms, last_error: result.ok ? null : result.message });
  await ctx.scrubbing.recordEvent(cur, 'test', actor, result.ok ? `test ok in ${result.latency_ms} ms` : `test failed (${result.health}): ${result.message}`);
  return result;
}
