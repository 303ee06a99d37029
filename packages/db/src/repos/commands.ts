import type { Db } from '../database.ts';
import type { CommandKeyTable, CommandTable } from '../schema.ts';
import { secretBoxOf } from '../secret-box.ts';

export type CommandRow = Omit<CommandTable, 'id'> & { id: number };
/** Columns a command gets once it is signed and run (008); absent on rows queued without them. */
type Later = 'nonce' | 'signed_body' | 'signature' | 'risk' | 'exit_code' | 'output';
export type NewCommand = Omit<CommandRow, 'id' | Later> & Partial<Pick<CommandRow, Later>>;

export async function insertCommand(db: Db, row: NewCommand): Promise<number> {
  const r = await db.insertInto('commands').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Stores what was signed for a command (its id is part of what is signed, so this follows the insert). */
export async function setSignature(db: Db, id: number, s: { nonce: string; signed_body: string; signature: string; expires_at: number }): Promise<void> {
  await db.updateTable('commands').set(s).where('id', '=', id).execute();
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

export async function ackCommand(
  db: Db, nodeId: number, id: number, status: string, error: string | null, now: number,
  result: { exit_code?: number | null; output?: string | null } = {},
): Promise<void> {
  const set: Partial<CommandRow> = { status, error, acked_at: now };
  if (result.exit_code !== undefined) set.exit_code = result.exit_code;
  if (result.output !== undefined) set.output = result.output;
  await db.updateTable('commands').set(set).where('node_id', '=', nodeId).where('id', '=', id).execute();
}

const keyContext = (workspaceId: string) => `command_keys.private_key:${workspaceId}`;

/** The workspace's command-signing key pair, the private half opened; undefined before the first command. */
export async function getCommandKey(db: Db, workspaceId: string): Promise<CommandKeyTable | undefined> {
  const row = await db.selectFrom('command_keys').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return undefined;
  const box = secretBoxOf(db);
  return box ? { ...row, private_key: box.open(row.private_key, keyContext(workspaceId)) } : row;
}

/** Stores a new key pair unless one exists (two replicas racing keep the first); returns the one stored. */
export async function putCommandKey(db: Db, key: CommandKeyTable): Promise<CommandKeyTable> {
  const box = secretBoxOf(db);
  const sealed = box ? box.seal(key.private_key, keyContext(key.workspace_id)) : key.private_key;
  await db.insertInto('command_keys').values({ ...key, private_key: sealed }).onConflict((oc) => oc.column('workspace_id').doNothing()).execute();
  return (await getCommandKey(db, key.workspace_id))!;
}

export async function listCommands(db: Db, nodeId: number, limit: number): Promise<CommandRow[]> {
  return db.selectFrom('commands').selectAll().where('node_id', '=', nodeId).orderBy('id', 'desc').limit(limit).execute();
}
