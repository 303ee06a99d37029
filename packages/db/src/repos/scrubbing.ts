import type { Db } from '../database.ts';
import { secretBoxOf } from '../secret-box.ts';
import type { ScrubbingDiversionTable, ScrubbingEventTable, ScrubbingIntegrationTable } from '../schema.ts';

export type ScrubbingIntegrationRow = ScrubbingIntegrationTable;
export type DiversionRow = ScrubbingDiversionTable;
export type ScrubbingEventRow = Omit<ScrubbingEventTable, 'id'> & { id: number };

/** Diversions something may still be on (or on its way to) the provider for. */
export const OPEN_STATES = ['requested', 'propagating', 'diverting', 'withdrawing'] as const;
/** Open, plus dry runs: what the API lists as active. */
export const ACTIVE_STATES = [...OPEN_STATES, 'dry_run'] as const;

// --- integrations
// The config holds the provider credentials: sealed at rest, bound to its row.
const context = (id: string) => `scrubbing_integrations.config:${id}`;
function sealed<T extends { config?: string }>(db: Db, id: string, row: T): T {
  const box = secretBoxOf(db);
  if (!box || row.config === undefined) return row;
  return { ...row, config: box.seal(row.config, context(id)) };
}
function opened(db: Db, row: ScrubbingIntegrationRow): ScrubbingIntegrationRow {
  const box = secretBoxOf(db);
  return box ? { ...row, config: box.open(row.config, context(row.id)) } : row;
}

export async function insertIntegration(db: Db, row: ScrubbingIntegrationRow): Promise<void> {
  await db.insertInto('scrubbing_integrations').values(sealed(db, row.id, row)).execute();
}
export async function listIntegrations(db: Db, workspaceId: string): Promise<ScrubbingIntegrationRow[]> {
  return (await db.selectFrom('scrubbing_integrations').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute()).map((r) => opened(db, r));
}
export async function getIntegration(db: Db, workspaceId: string, id: string): Promise<ScrubbingIntegrationRow | undefined> {
  const r = await db.selectFrom('scrubbing_integrations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return r && opened(db, r);
}
export async function getIntegrationById(db: Db, id: string): Promise<ScrubbingIntegrationRow | undefined> {
  const r = await db.selectFrom('scrubbing_integrations').selectAll().where('id', '=', id).executeTakeFirst();
  return r && opened(db, r);
}
export async function updateIntegration(db: Db, id: string, patch: Partial<Omit<ScrubbingIntegrationRow, 'id' | 'workspace_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('scrubbing_integrations').set(sealed(db, id, patch)).where('id', '=', id).execute();
}
/** Health from a test or an operation; updated_at is left alone (it versions the settings). */
export async function setIntegrationHealth(db: Db, id: string, health: Pick<ScrubbingIntegrationRow, 'status' | 'last_error'> & Partial<Pick<ScrubbingIntegrationRow, 'last_test_at' | 'last_latency_ms'>>): Promise<void> {
  await db.updateTable('scrubbing_integrations').set(health).where('id', '=', id).execute();
}
export async function deleteIntegration(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('scrubbing_integrations').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
/** Seals configs written in clear (no key configured then): run at start. */
export async function sealPlaintextIntegrations(db: Db): Promise<number> {
  if (!secretBoxOf(db)) return 0;
  const rows = await db.selectFrom('scrubbing_integrations').selectAll().where('config', 'not like', 'enc:v1:%').execute();
  for (const r of rows) await updateIntegration(db, r.id, { config: r.config });
  return rows.length;
}

// --- diversions
export async function insertDiversion(db: Db, row: DiversionRow): Promise<void> {
  await db.insertInto('scrubbing_diversions').values(row).execute();
}
export async function getDiversion(db: Db, id: string): Promise<DiversionRow | undefined> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('id', '=', id).executeTakeFirst();
}
/** Moves a diversion from one of these states only if nobody moved it first; true when this call did. */
export async function transitionDiversion(db: Db, id: string, from: readonly string[], patch: Partial<DiversionRow>): Promise<boolean> {
  const r = await db.updateTable('scrubbing_diversions').set(patch).where('id', '=', id).where('state', 'in', [...from]).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
export async function updateDiversion(db: Db, id: string, patch: Partial<Omit<DiversionRow, 'id' | 'workspace_id'>>): Promise<void> {
  await db.updateTable('scrubbing_diversions').set(patch).where('id', '=', id).execute();
}
/** The open (or dry-run) diversion of an integration for a target, if any: asking again is a no-op. */
export async function activeDiversionFor(db: Db, integrationId: string, target: string): Promise<DiversionRow | undefined> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('integration_id', '=', integrationId).where('target', '=', target)
    .where('state', 'in', [...ACTIVE_STATES]).orderBy('requested_at', 'desc').limit(1).executeTakeFirst();
}
export async function activeDiversionsOf(db: Db, integrationId: string): Promise<DiversionRow[]> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('integration_id', '=', integrationId)
    .where('state', 'in', [...ACTIVE_STATES]).orderBy('requested_at').execute();
}
export async function activeDiversionsOfWorkspace(db: Db, workspaceId: string): Promise<DiversionRow[]> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('workspace_id', '=', workspaceId)
    .where('state', 'in', [...ACTIVE_STATES]).orderBy('requested_at').execute();
}
/** Every open diversion of every workspace (the service's passes and reconciliation). */
export async function openDiversions(db: Db): Promise<DiversionRow[]> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('state', 'in', [...ACTIVE_STATES]).orderBy('requested_at').execute();
}
/** The latest diversion of an integration for a target that ended (the hold-down against re-announcing). */
export async function lastEndedFor(db: Db, integrationId: string, target: string): Promise<DiversionRow | undefined> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('integration_id', '=', integrationId).where('target', '=', target)
    .where('state', '=', 'idle').where('dry_run', '=', 0).orderBy('ended_at', 'desc').limit(1).executeTakeFirst();
}
export async function diversionsOfIncident(db: Db, incidentId: number): Promise<DiversionRow[]> {
  return db.selectFrom('scrubbing_diversions').selectAll().where('incident_id', '=', incidentId).orderBy('requested_at').execute();
}
export async function diversionHistory(db: Db, workspaceId: string, opts: { integrationId?: string; limit: number }): Promise<DiversionRow[]> {
  let q = db.selectFrom('scrubbing_diversions').selectAll().where('workspace_id', '=', workspaceId);
  if (opts.integrationId) q = q.where('integration_id', '=', opts.integrationId);
  return q.orderBy('requested_at', 'desc').orderBy('id').limit(opts.limit).execute();
}

// --- history
export async function appendEvent(db: Db, e: Omit<ScrubbingEventRow, 'id'>): Promise<void> {
  await db.insertInto('scrubbing_events').values(e).execute();
}
export async function eventsOf(db: Db, workspaceId: string, integrationId: string, limit: number): Promise<ScrubbingEventRow[]> {
  return db.selectFrom('scrubbing_events').selectAll().where('workspace_id', '=', workspaceId).where('integration_id', '=', integrationId)
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
