import type { Db } from '../database.ts';
import { secretBoxOf } from '../secret-box.ts';
import type { AllowlistTable, HostThresholdTable, MitigationAdapterTable, MitigationRuleTable } from '../schema.ts';

export type AdapterRow = MitigationAdapterTable;
export type RuleRow = MitigationRuleTable;
export type HostThresholdRow = HostThresholdTable;
export type AllowlistRow = AllowlistTable;

/** Rules that are (or are about to be) on a speaker: what reconciliation and caps count. */
export const LIVE_STATUSES = ['pending', 'active', 'withdrawing'] as const;

// --- adapters
// auth_token and config hold the adapter's credentials: sealed at rest, bound to their row.
function sealedAdapter<T extends { auth_token?: string | null; config?: string }>(db: Db, id: string, row: T): T {
  const box = secretBoxOf(db);
  if (!box) return row;
  const out = { ...row };
  if (typeof row.auth_token === 'string') out.auth_token = box.seal(row.auth_token, `mitigation_adapters.auth_token:${id}`);
  if (row.config !== undefined) out.config = box.seal(row.config, `mitigation_adapters.config:${id}`);
  return out;
}
function openedAdapter(db: Db, row: AdapterRow): AdapterRow {
  const box = secretBoxOf(db);
  if (!box) return row;
  return {
    ...row,
    auth_token: row.auth_token === null ? null : box.open(row.auth_token, `mitigation_adapters.auth_token:${row.id}`),
    config: box.open(row.config, `mitigation_adapters.config:${row.id}`),
  };
}
export async function insertAdapter(db: Db, row: AdapterRow): Promise<void> {
  await db.insertInto('mitigation_adapters').values(sealedAdapter(db, row.id, row)).execute();
}
export async function listAdapters(db: Db, workspaceId: string): Promise<AdapterRow[]> {
  return (await db.selectFrom('mitigation_adapters').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute()).map((r) => openedAdapter(db, r));
}
export async function allAdapters(db: Db): Promise<AdapterRow[]> {
  return (await db.selectFrom('mitigation_adapters').selectAll().execute()).map((r) => openedAdapter(db, r));
}
export async function getAdapter(db: Db, workspaceId: string, id: string): Promise<AdapterRow | undefined> {
  const r = await db.selectFrom('mitigation_adapters').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return r && openedAdapter(db, r);
}
export async function updateAdapter(db: Db, id: string, patch: Partial<Omit<AdapterRow, 'id' | 'workspace_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('mitigation_adapters').set(sealedAdapter(db, id, patch)).where('id', '=', id).execute();
}
export async function deleteAdapter(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('mitigation_adapters').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// --- rules
export async function insertRule(db: Db, row: RuleRow): Promise<void> {
  await db.insertInto('mitigation_rules').values(row).execute();
}
export async function getRule(db: Db, workspaceId: string, id: string): Promise<RuleRow | undefined> {
  return db.selectFrom('mitigation_rules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}
export async function getRuleById(db: Db, id: string): Promise<RuleRow | undefined> {
  return db.selectFrom('mitigation_rules').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function updateRule(db: Db, id: string, patch: Partial<Omit<RuleRow, 'id' | 'workspace_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('mitigation_rules').set(patch).where('id', '=', id).execute();
}
/** Moves a rule from one status to another only if nobody else moved it first; true when this call did. */
export async function transitionRule(db: Db, id: string, from: readonly string[], patch: Partial<RuleRow> & { status: string }): Promise<boolean> {
  const r = await db.updateTable('mitigation_rules').set(patch).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
export async function activeRules(db: Db, workspaceId: string): Promise<RuleRow[]> {
  return db.selectFrom('mitigation_rules').selectAll().where('workspace_id', '=', workspaceId)
    .where('status', 'in', ['pending', 'active', 'withdrawing', 'dry_run']).where('withdrawn_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('id').execute();
}
export async function ruleHistory(db: Db, workspaceId: string, opts: { limit: number; incidentId?: number | null }): Promise<RuleRow[]> {
  let q = db.selectFrom('mitigation_rules').selectAll().where('workspace_id', '=', workspaceId);
  if (opts.incidentId != null) q = q.where('incident_id', '=', opts.incidentId);
  return q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit).execute();
}
export async function liveRulesOfAdapter(db: Db, adapterId: string): Promise<RuleRow[]> {
  return db.selectFrom('mitigation_rules').selectAll().where('adapter_id', '=', adapterId).where('status', 'in', [...LIVE_STATUSES]).execute();
}
export async function countLiveRulesOfAdapter(db: Db, adapterId: string): Promise<number> {
  const r = await db.selectFrom('mitigation_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('adapter_id', '=', adapterId).where('status', 'in', [...LIVE_STATUSES]).executeTakeFirst();
  return Number(r?.n ?? 0);
}
export async function rulesOfIncident(db: Db, incidentId: number): Promise<RuleRow[]> {
  return db.selectFrom('mitigation_rules').selectAll().where('incident_id', '=', incidentId).orderBy('created_at').execute();
}
/** Rules whose TTL or hold-down has passed and that are still on (or meant for) a speaker. */
export async function dueRules(db: Db, now: number): Promise<RuleRow[]> {
  return db.selectFrom('mitigation_rules').selectAll()
    .where('status', 'in', ['pending', 'active', 'dry_run', 'failed'])
    .where('withdrawn_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('withdraw_after', '<=', now)]))
    .execute();
}

// --- escalation policy
export async function getPolicy(db: Db, workspaceId: string): Promise<string | undefined> {
  const r = await db.selectFrom('escalation_policies').select('policy').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return r?.policy;
}
export async function savePolicy(db: Db, workspaceId: string, policy: string, by: string | null, now: number): Promise<void> {
  const r = await db.updateTable('escalation_policies').set({ policy, updated_by: by, updated_at: now }).where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    await db.insertInto('escalation_policies').values({ workspace_id: workspaceId, policy, updated_by: by, updated_at: now })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ policy, updated_by: by, updated_at: now })).execute();
  }
}

// --- per-host thresholds
export async function listThresholds(db: Db, workspaceId: string): Promise<HostThresholdRow[]> {
  return db.selectFrom('host_thresholds').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
}
export async function findThresholdByTarget(db: Db, workspaceId: string, target: string): Promise<HostThresholdRow | undefined> {
  return db.selectFrom('host_thresholds').selectAll().where('workspace_id', '=', workspaceId).where('target_ip', '=', target).executeTakeFirst();
}
export async function getThreshold(db: Db, workspaceId: string, id: string): Promise<HostThresholdRow | undefined> {
  return db.selectFrom('host_thresholds').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}
export async function upsertThreshold(db: Db, row: HostThresholdRow): Promise<void> {
  await db.insertInto('host_thresholds').values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ target_ip: row.target_ip, label: row.label, thresholds: row.thresholds, updated_at: row.updated_at })).execute();
}
export async function deleteThreshold(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('host_thresholds').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// --- allowlist
export async function insertAllow(db: Db, row: AllowlistRow): Promise<void> {
  await db.insertInto('allowlist').values(row).execute();
}
/** Workspace-wide entries, plus those of one node when given. */
export async function listAllow(db: Db, workspaceId: string, nodeId?: number | null): Promise<AllowlistRow[]> {
  let q = db.selectFrom('allowlist').selectAll().where('workspace_id', '=', workspaceId);
  if (nodeId != null) q = q.where((eb) => eb.or([eb('node_id', 'is', null), eb('node_id', '=', nodeId)]));
  return q.orderBy('created_at').orderBy('id').execute();
}
export async function deleteAllow(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('allowlist').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Rules left half-way (announce or withdraw failed and may succeed later), oldest first. */
export async function stuckRules(db: Db, before: number): Promise<RuleRow[]> {
  return db.selectFrom('mitigation_rules').selectAll()
    .where('status', 'in', ['pending', 'withdrawing']).where('adapter_id', 'is not', null).where('dry_run', '=', 0)
    .where('updated_at', '<=', before).orderBy('updated_at').limit(100).execute();
}
/** The newest rule an adapter carried under this key (to withdraw a stray route it left behind). */
export async function latestRuleByKey(db: Db, adapterId: string, ruleKey: string): Promise<RuleRow | undefined> {
  return db.selectFrom('mitigation_rules').selectAll().where('adapter_id', '=', adapterId).where('rule_key', '=', ruleKey)
    .where('dry_run', '=', 0).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}
/** The live rule an adapter carries under this key, if any: announcing it again is a no-op. */
export async function liveRuleByKey(db: Db, adapterId: string, ruleKey: string): Promise<RuleRow | undefined> {
  return db.selectFrom('mitigation_rules').selectAll().where('adapter_id', '=', adapterId).where('rule_key', '=', ruleKey)
    .where('status', 'in', [...LIVE_STATUSES]).limit(1).executeTakeFirst();
}
/** Adapters that carry (or should carry) rules now: the ones reconciliation looks at. */
export async function adaptersWithLiveRules(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('mitigation_rules').select('adapter_id').distinct()
    .where('status', 'in', [...LIVE_STATUSES]).where('adapter_id', 'is not', null).where('dry_run', '=', 0).execute();
  return rows.map((r) => r.adapter_id!).filter(Boolean);
}
export async function getAdapterById(db: Db, id: string): Promise<AdapterRow | undefined> {
  const r = await db.selectFrom('mitigation_adapters').selectAll().where('id', '=', id).executeTakeFirst();
  return r && openedAdapter(db, r);
}

/** Seals the token and config of adapters written before secrets were encrypted (run at start). */
export async function sealPlaintextAdapters(db: Db): Promise<number> {
  if (!secretBoxOf(db)) return 0;
  const rows = await db.selectFrom('mitigation_adapters').selectAll()
    .where((eb) => eb.or([eb('config', 'not like', 'enc:v1:%'), eb.and([eb('auth_token', 'is not', null), eb('auth_token', 'not like', 'enc:v1:%')])])).execute();
  for (const r of rows) {
    const plain = openedAdapter(db, r);
    await updateAdapter(db, r.id, { auth_token: plain.auth_token, config: plain.config });
  }
  return rows.length;
}

/** The names of these adapters, by id: for presenting rules. */
export async function adapterNamesOf(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('mitigation_adapters').select(['id', 'name']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((a) => [a.id, a.name]));
}
/**
 * An adapter's health as last seen. It leaves updated_at alone: that is the adapter pool's
 * version key, and a health change must not rebuild the adapter.
 */
export async function setAdapterHealth(db: Db, id: string, health: Pick<AdapterRow, 'status' | 'last_error'> & Partial<Pick<AdapterRow, 'last_test_at' | 'last_latency_ms'>>): Promise<void> {
  await db.updateTable('mitigation_adapters').set(health).where('id', '=', id).execute();
}
