import type { Db } from '../database.ts';
import type { UserTable } from '../schema.ts';

export type UserRow = UserTable;

export async function insertUser(db: Db, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function getUser(db: Db, workspaceId: string, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Db, workspaceId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
}

export async function updateUser(db: Db, workspaceId: string, id: string, patch: Partial<Pick<UserRow, 'name' | 'role' | 'password_hash' | 'disabled_at'>>): Promise<boolean> {
  const r = await db.updateTable('users').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
