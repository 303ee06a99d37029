import type { Db } from '../database.ts';
import { secretBoxOf } from '../secret-box.ts';
import type { RunbookExecutionTable, RunbookTable } from '../runbooks-schema.ts';

export type RunbookRow = RunbookTable;
export type ExecutionRow = RunbookExecutionTable;

// Steps hold webhook secrets: sealed at rest, bound to their table and row.
function seal<T extends { steps?: string }>(db: Db, table: string, id: string, row: T): T {
  const box = secretBoxOf(db);
  return box && row.steps !== undefined ? { ...row, steps: box.seal(row.steps, `${table}.steps:${id}`) } : row;
}
function open<T extends { id: string; steps: string }>(db: Db, table: string, row: T): T {
  const box = secretBoxOf(db);
  return box ? { ...row, steps: box.open(row.steps, `${table}.steps:${row.id}`) } : row;
}

// --- runbooks
export async function insertRunbook(db: Db, row: RunbookRow): Promise<void> {
  await db.insertInto('runbooks').values(seal(db, 'runbooks', row.id, row)).execute();
}
export async function listRunbooks(db: Db, workspaceId: string): Promise<RunbookRow[]> {
  return (await db.selectFrom('runbooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute()).map((r) => open(db, 'runbooks', r));
}
export async function activeRunbooks(db: Db, workspaceId: string): Promise<RunbookRow[]> {
  return (await db.selectFrom('runbooks').selectAll().where('workspace_id', '=', workspaceId).where('active', '=', 1).orderBy('created_at').orderBy('id').execute()).map((r) => open(db, 'runbooks', r));
}
export async function getRunbook(db: Db, workspaceId: string, id: string): Promise<RunbookRow | undefined> {
  const r = await db.selectFrom('runbooks').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return r && open(db, 'runbooks', r);
}
export async function updateRunbook(db: Db, id: string, patch: Partial<Omit<RunbookRow, 'id' | 'workspace_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('runbooks').set(seal(db, 'runbooks', id, patch)).where('id', '=', id).execute();
}
export async function deleteRunbook(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('runbooks').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface ExecutionCounts { runbook_id: string; total: number; succeeded: number; failed: number; last: number | null }
export async function executionCounts(db: Db, workspaceId: string): Promise<Map<string, ExecutionCounts>> {
  const rows = await db.selectFrom('runbook_executions').select(['runbook_id', 'status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('started_at').as('last')])
    .where('workspace_id', '=', workspaceId).groupBy(['runbook_id', 'status']).execute();
  const out = new Map<string, ExecutionCounts>();
  for (const r of rows) {
    const c = out.get(r.runbook_id) ?? { runbook_id: r.runbook_id, total: 0, succeeded: 0, failed: 0, last: null };
    const n = Number(r.n);
    c.total += n;
    if (r.status === 'succeeded') c.succeeded += n;
    if (r.status === 'failed' || r.status === 'undone') c.failed += n;
    const last = r.last === null ? null : Number(r.last);
    if (last !== null && (c.last === null || last > c.last)) c.last = last;
    out.set(r.runbook_id, c);
  }
  return out;
}

// --- executions
/** False when an execution with the same dedup key exists (this runbook already ran for this incident and event). */
export async function insertExecution(db: Db, row: ExecutionRow): Promise<boolean> {
  const r = await db.insertInto('runbook_executions').values(seal(db, 'runbook_executions', row.id, row)).onConflict((oc) => oc.column('dedup_key').doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}
export async function getExecution(db: Db, id: string): Promise<ExecutionRow | undefined> {
  const r = await db.selectFrom('runbook_executions').selectAll().where('id', '=', id).executeTakeFirst();
  return r && open(db, 'runbook_executions', r);
}
export async function executionsOf(db: Db, workspaceId: string, runbookId: string, limit: number): Promise<ExecutionRow[]> {
  return (await db.selectFrom('runbook_executions').selectAll().where('workspace_id', '=', workspaceId).where('runbook_id', '=', runbookId)
    .orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map((r) => open(db, 'runbook_executions', r));
}
export async function executionsOfIncident(db: Db, incidentId: number): Promise<ExecutionRow[]> {
  return (await db.selectFrom('runbook_executions').selectAll().where('incident_id', '=', incidentId).orderBy('started_at').execute()).map((r) => open(db, 'runbook_executions', r));
}
export async function updateExecution(db: Db, id: string, patch: Partial<Omit<ExecutionRow, 'id' | 'workspace_id' | 'dedup_key' | 'steps'>>): Promise<void> {
  await db.updateTable('runbook_executions').set(patch).where('id', '=', id).execute();
}

/** Running executions due now whose lease is free, each claimed for `owner` until `leaseUntil` (one server runs each). */
export async function claimDue(db: Db, now: number, owner: string, leaseUntil: number, limit = 20): Promise<string[]> {
  const due = await db.selectFrom('runbook_executions').select('id').where('status', '=', 'running').where('next_run_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])).orderBy('next_run_at').limit(limit).execute();
  const claimed: string[] = [];
  for (const { id } of due) {
    const r = await db.updateTable('runbook_executions').set({ lease_owner: owner, lease_until: leaseUntil }).where('id', '=', id)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) claimed.push(id);
  }
  return claimed;
}
/** One engine's claim on an execution: its owner and the lease_until it last wrote (the fencing token). */
export interface ExecutionClaim {
  owner: string;
  until: number;
}
/**
 * Saves an execution's progress and extends its claim to `nextUntil`, only while the row still
 * carries this claim; false (nothing written) once another engine claimed it after it ran out.
 * A claim is taken only past lease_until and sets a later one, so `until` names one claim.
 */
export async function saveClaimed(db: Db, id: string, claim: ExecutionClaim, nextUntil: number, patch: Partial<Omit<ExecutionRow, 'id' | 'workspace_id' | 'dedup_key' | 'steps' | 'lease_owner' | 'lease_until'>>): Promise<boolean> {
  const r = await db.updateTable('runbook_executions').set({ ...patch, lease_until: nextUntil })
    .where('id', '=', id).where('lease_owner', '=', claim.owner).where('lease_until', '=', claim.until).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
export async function releaseLease(db: Db, id: string, claim: ExecutionClaim): Promise<void> {
  await db.updateTable('runbook_executions').set({ lease_owner: null, lease_until: null })
    .where('id', '=', id).where('lease_owner', '=', claim.owner).where('lease_until', '=', claim.until).execute();
}
/** The earliest next_run_at among running executions (to sleep until then). */
export async function nextDue(db: Db): Promise<number | null> {
  const r = await db.selectFrom('runbook_executions').select((eb) => eb.fn.min('next_run_at').as('at')).where('status', '=', 'running').executeTakeFirst();
  return r?.at === null || r?.at === undefined ? null : Number(r.at);
}
