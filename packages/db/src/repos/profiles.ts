import type { Db } from '../database.ts';
import type { ProfileApplicationTable } from '../profiles-schema.ts';

export type ProfileApplicationRow = ProfileApplicationTable;

export async function insertApplication(db: Db, row: ProfileApplicationRow): Promise<void> {
  await db.insertInto('profile_applications').values(row).execute();
}

export async function setApplyCommand(db: Db, id: string, commandId: number, now: number): Promise<void> {
  await db.updateTable('profile_applications').set({ command_id: commandId, updated_at: now }).where('id', '=', id).execute();
}

export async function setRollbackCommand(db: Db, id: string, commandId: number, now: number): Promise<void> {
  await db.updateTable('profile_applications').set({ rollback_command_id: commandId, updated_at: now }).where('id', '=', id).execute();
}

/** The newest application per node of the workspace (optionally one node). */
export async function latestApplications(db: Db, workspaceId: string, nodeId?: number): Promise<ProfileApplicationRow[]> {
  let q = db.selectFrom('profile_applications').selectAll().where('workspace_id', '=', workspaceId);
  if (nodeId !== undefined) q = q.where('node_id', '=', nodeId);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  const seen = new Set<number>();
  return rows.filter((r) => (seen.has(r.node_id) ? false : (seen.add(r.node_id), true)));
}

/** Status words of commands by id (the apply's and rollback's acknowledgements). */
export async function commandStates(db: Db, ids: readonly number[]): Promise<Map<number, { status: string; error: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('commands').select(['id', 'status', 'error']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [Number(r.id), { status: r.status, error: r.error }]));
}
