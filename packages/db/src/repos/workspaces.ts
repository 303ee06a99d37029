import type { Db } from '../database.ts';
import type { WorkspaceTable } from '../schema.ts';

export type WorkspaceRow = WorkspaceTable;

export async function insertWorkspace(db: Db, row: WorkspaceRow): Promise<void> {
  await db.insertInto('workspaces').values(row).execute();
}

export async function getWorkspace(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countWorkspaces(db: Db): Promise<number> {
  const r = await db.selectFrom('workspaces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateWorkspace(
  db: Db,
  id: string,
  patch: Partial<Pick<WorkspaceRow, 'name' | 'node_quota' | 'rate_limit_per_min' | 'settings'>>,
): Promise<void> {
  await db.updateTable('workspaces').set(patch).where('id', '=', id).execute();
}
