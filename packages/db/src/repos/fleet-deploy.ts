// SSH keys, known host keys, enrolment keys and deploy jobs (migration 010).
import type { Db } from '../database.ts';
import type { DeployJobTable, EnrolmentKeyTable, KnownHostTable, SshKeyTable } from '../fleet-deploy-schema.ts';
import { secretBoxOf } from '../secret-box.ts';

export type SshKeyRow = SshKeyTable;
export type KnownHostRow = KnownHostTable;
export type EnrolmentKeyRow = EnrolmentKeyTable;
export type DeployJobRow = DeployJobTable;

// ---- SSH keys: the private half and its passphrase sealed, bound to their row.
const keyCtx = (id: string, column: string) => `ssh_keys.${column}:${id}`;

export async function insertSshKey(db: Db, row: SshKeyRow): Promise<void> {
  const box = secretBoxOf(db);
  if (!box) throw new Error('ssh keys need the secret box: the database was opened without one');
  await db.insertInto('ssh_keys').values({
    ...row,
    private_key: box.seal(row.private_key, keyCtx(row.id, 'private_key')),
    passphrase: row.passphrase === null ? null : box.seal(row.passphrase, keyCtx(row.id, 'passphrase')),
  }).execute();
}

/** Listing never opens the sealed columns. */
export async function listSshKeys(db: Db, workspaceId: string): Promise<(Omit<SshKeyRow, 'private_key' | 'passphrase'> & { has_passphrase: boolean })[]> {
  const rows = await db.selectFrom('ssh_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map(({ private_key: _p, passphrase, ...r }) => ({ ...r, has_passphrase: passphrase !== null }));
}

export async function sshKeyNameTaken(db: Db, workspaceId: string, name: string): Promise<boolean> {
  return (await db.selectFrom('ssh_keys').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst()) !== undefined;
}

/** The key with its private half opened, for a deploy. */
export async function openSshKeyByName(db: Db, workspaceId: string, name: string): Promise<SshKeyRow | undefined> {
  const r = await db.selectFrom('ssh_keys').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  if (!r) return undefined;
  const box = secretBoxOf(db);
  if (!box) throw new Error('ssh keys need the secret box: the database was opened without one');
  return {
    ...r,
    private_key: box.open(r.private_key, keyCtx(r.id, 'private_key')),
    passphrase: r.passphrase === null ? null : box.open(r.passphrase, keyCtx(r.id, 'passphrase')),
  };
}

export async function getSshKey(db: Db, workspaceId: string, id: string): Promise<Pick<SshKeyRow, 'id' | 'name' | 'fingerprint'> | undefined> {
  return db.selectFrom('ssh_keys').select(['id', 'name', 'fingerprint']).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function deleteSshKey(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('ssh_keys').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- Known hosts.
export async function getKnownHost(db: Db, workspaceId: string, host: string, port: number): Promise<KnownHostRow | undefined> {
  return db.selectFrom('known_hosts').selectAll().where('workspace_id', '=', workspaceId).where('host', '=', host).where('port', '=', port).executeTakeFirst();
}

export async function listKnownHosts(db: Db, workspaceId: string): Promise<KnownHostRow[]> {
  return db.selectFrom('known_hosts').selectAll().where('workspace_id', '=', workspaceId).orderBy('host').orderBy('port').execute();
}

/** Records the key a host presented (first time), or notes it was seen again (same key). */
export async function recordKnownHost(db: Db, row: KnownHostRow): Promise<void> {
  const known = await getKnownHost(db, row.workspace_id, row.host, row.port);
  if (!known) {
    await db.insertInto('known_hosts').values(row).execute();
    return;
  }
  await db.updateTable('known_hosts')
    .set({ fingerprint: row.fingerprint, key_type: row.key_type, trust: row.trust, recorded_by: row.recorded_by, last_seen_at: row.last_seen_at })
    .where('workspace_id', '=', row.workspace_id).where('host', '=', row.host).where('port', '=', row.port).execute();
}

// ---- Enrolment keys.
export async function insertEnrolmentKey(db: Db, row: EnrolmentKeyRow): Promise<void> {
  await db.insertInto('enrolment_keys').values(row).execute();
}

export async function listEnrolmentKeys(db: Db, workspaceId: string, limit: number): Promise<EnrolmentKeyRow[]> {
  return db.selectFrom('enrolment_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

export async function findEnrolmentKeyByDigest(db: Db, digest: string): Promise<EnrolmentKeyRow | undefined> {
  return db.selectFrom('enrolment_keys').selectAll().where('digest', '=', digest).executeTakeFirst();
}

/**
 * Marks the key used and sets the script's ticket, only if nobody did before and it has not
 * expired: one UPDATE, so of two concurrent fetches exactly one wins.
 */
export async function claimEnrolmentKey(db: Db, id: string, now: number, ticketDigest: string): Promise<boolean> {
  const r = await db.updateTable('enrolment_keys').set({ used_at: now, ticket_digest: ticketDigest })
    .where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findEnrolmentKeyByTicket(db: Db, ticketDigest: string): Promise<EnrolmentKeyRow | undefined> {
  return db.selectFrom('enrolment_keys').selectAll().where('ticket_digest', '=', ticketDigest).executeTakeFirst();
}

/** The ticket enrols once: the first caller gets true. */
export async function markEnrolled(db: Db, id: string, now: number, nodeUuid: string): Promise<boolean> {
  const r = await db.updateTable('enrolment_keys').set({ enrolled_at: now, node_uuid: nodeUuid })
    .where('id', '=', id).where('enrolled_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function unmarkEnrolled(db: Db, id: string): Promise<void> {
  await db.updateTable('enrolment_keys').set({ enrolled_at: null, node_uuid: null }).where('id', '=', id).execute();
}

export async function deleteEnrolmentKey(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('enrolment_keys').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- Deploy jobs.
export async function insertDeployJob(db: Db, row: DeployJobRow): Promise<void> {
  await db.insertInto('deploy_jobs').values(row).execute();
}

export async function updateDeployJob(db: Db, id: string, patch: Partial<Omit<DeployJobRow, 'id' | 'workspace_id' | 'created_at'>>): Promise<void> {
  await db.updateTable('deploy_jobs').set(patch).where('id', '=', id).execute();
}

export async function getDeployJob(db: Db, workspaceId: string, id: string): Promise<DeployJobRow | undefined> {
  return db.selectFrom('deploy_jobs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function listDeployJobs(db: Db, workspaceId: string, limit: number): Promise<DeployJobRow[]> {
  return db.selectFrom('deploy_jobs').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

export async function markEnrolledNode(db: Db, id: string, nodeUuid: string): Promise<void> {
  await db.updateTable('enrolment_keys').set({ node_uuid: nodeUuid }).where('id', '=', id).execute();
}
