import type { Db } from '../database.ts';
import type { CommandTable } from '../schema.ts';

export type CommandRow = Omit<CommandTable, 'id'> & { id: number };

export async function insertCommand(db: Db, row: Omit<CommandRow, 'id'>): Promise<number> {
  const r = await db.insertInto('commands').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function pendingCommands(db: Db, nodeId: number, now: number): Promise<CommandRow[]> {
  return db
    .selectFrom('commands')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id')
    .execute();
}

export async function getCommand(db: Db, nodeId: number, id: number): Promise<CommandRow | undefined> {
  return db.selectFrom('commands').selectAll().where('node_id', '=', nodeId).where('id', '=', id).executeTakeFirst();
}

export async function ackCommand(db: Db, nodeId: number, id: number, status: string, error: string | null, now: number): Promise<void> {
  await db.updateTable('commands').set({ status, error, acked_at: now }).where('node_id', '=', nodeId).where('id', '=', id).execute();
}

export async function listCommands(db: Db, nodeId: number, limit: number): Promise<CommandRow[]> {
  return db.selectFrom('commands').selectAll().where('node_id', '=', nodeId).orderBy('id', 'desc').limit(limit).execute();
}
