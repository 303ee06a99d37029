import type { Db } from '../database.ts';
import type { ChannelTable } from '../schema.ts';
import { secretBoxOf } from '../secret-box.ts';

export type ChannelRow = ChannelTable;

// The config holds the channel's credentials (webhook URLs, tokens): sealed at rest.
const ctx = (id: string) => `channels.config:${id}`;
function sealed<T extends { config?: string }>(db: Db, id: string, row: T): T {
  const box = secretBoxOf(db);
  return box && row.config !== undefined ? { ...row, config: box.seal(row.config, ctx(id)) } : row;
}
function opened(db: Db, row: ChannelRow): ChannelRow {
  const box = secretBoxOf(db);
  return box ? { ...row, config: box.open(row.config, ctx(row.id)) } : row;
}

export async function insertChannel(db: Db, row: ChannelRow): Promise<void> {
  await db.insertInto('channels').values(sealed(db, row.id, row)).execute();
}

export async function listChannels(db: Db, workspaceId: string): Promise<ChannelRow[]> {
  return (await db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute()).map((r) => opened(db, r));
}

export async function getChannel(db: Db, workspaceId: string, id: string): Promise<ChannelRow | undefined> {
  const r = await db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return r && opened(db, r);
}

export async function deleteChannel(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('channels').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function updateChannel(db: Db, workspaceId: string, id: string, patch: Partial<Omit<ChannelRow, 'id' | 'workspace_id' | 'type' | 'created_at'>>): Promise<void> {
  await db.updateTable('channels').set(sealed(db, id, patch)).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function enabledChannels(db: Db, workspaceId: string): Promise<ChannelRow[]> {
  return (await db.selectFrom('channels').selectAll().where('workspace_id', '=', workspaceId).where('enabled', '=', 1).execute()).map((r) => opened(db, r));
}

export async function getChannelById(db: Db, id: string): Promise<ChannelRow | undefined> {
  const r = await db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  return r && opened(db, r);
}

/** Seals the configs of rows written before secrets were encrypted (run at start). */
export async function sealPlaintextChannels(db: Db): Promise<number> {
  const box = secretBoxOf(db);
  if (!box) return 0;
  const rows = await db.selectFrom('channels').select(['id', 'config']).where('config', 'not like', 'enc:v1:%').execute();
  for (const r of rows) await db.updateTable('channels').set({ config: box.seal(r.config, ctx(r.id)) }).where('id', '=', r.id).where('config', '=', r.config).execute();
  return rows.length;
}
