import type { Db } from '../database.ts';
import type { ChannelTable } from '../schema.ts';

export type ChannelRow = ChannelTable;

export async function insertChannel(db: Db, row: ChannelRow): Promise<void> {
  await db.insertInto('channels').values(row).execute();
}

export async function listChannels(db: Db, workspaceId: string): Promise<ChannelRow[]> {
  return db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
}

export async function getChannel(db: Db, workspaceId: string, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function deleteChannel(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('channels').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function updateChannel(db: Db, workspaceId: string, id: string, patch: Partial<Omit<ChannelRow, 'id' | 'workspace_id' | 'type' | 'created_at'>>): Promise<void> {
  await db.updateTable('channels').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function enabledChannels(db: Db, workspaceId: string): Promise<ChannelRow[]> {
  return db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('enabled', '=', 1).execute();
}

export async function getChannelById(db: Db, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}
