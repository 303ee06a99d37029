import type { Db } from '../database.ts';
import type { SessionTable, TokenTable } from '../schema.ts';

export type TokenRow = TokenTable;
export type SessionRow = SessionTable;

export async function insertToken(db: Db, row: TokenRow): Promise<void> {
  await db.insertInto('tokens').values(row).execute();
}

export async function findTokenByDigest(db: Db, digest: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('digest', '=', digest).executeTakeFirst();
}

export async function listTokens(db: Db, workspaceId: string): Promise<TokenRow[]> {
  return db.selectFrom('tokens').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
}

export async function revokeToken(db: Db, workspaceId: string, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function touchToken(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findSessionByDigest(db: Db, digest: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('digest', '=', digest).executeTakeFirst();
}

export async function deleteSession(db: Db, digest: string): Promise<void> {
  await db.deleteFrom('sessions').where('digest', '=', digest).execute();
}

export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
}
