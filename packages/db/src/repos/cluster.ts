// Leases and the bus's event log for several server replicas (see migrations/014-cluster.ts).
// Written once for both engines: on SQLite there is one process, and the same statements hold.
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { DialectName } from '../dialect-name.ts';

export interface LeaseRow {
  name: string;
  holder: string;
  token: number;
  acquired_at: number;
  expires_at: number;
}

/** The NOTIFY channel the bus uses; the payload is the event row as JSON (small: events carry ids). */
export const EVENT_CHANNEL = 'breakwater_cluster';

/**
 * Takes the lease when it is free, expired or already ours; renews it when ours. Returns the
 * fencing token (grown by one when the holder changes), or null when another replica holds it.
 */
export async function acquireLease(db: Db, name: string, holder: string, now: number, ttlMs: number): Promise<number | null> {
  const inserted = await db.insertInto('cluster_leases')
    .values({ name, holder, token: 1, acquired_at: now, expires_at: now + ttlMs })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('token')
    .executeTakeFirst();
  if (inserted) return Number(inserted.token);
  const taken = await db.updateTable('cluster_leases')
    .set((eb) => ({
      token: eb.case().when('holder', '=', holder).then(eb.ref('token')).else(eb('token', '+', 1)).end(),
      acquired_at: eb.case().when('holder', '=', holder).then(eb.ref('acquired_at')).else(now).end(),
      holder,
      expires_at: now + ttlMs,
    }))
    .where('name', '=', name)
    .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', now)]))
    .returning('token')
    .executeTakeFirst();
  return taken ? Number(taken.token) : null;
}

/** Extends the lease if it is still ours under this token; false when it was lost. */
export async function renewLease(db: Db, name: string, holder: string, token: number, now: number, ttlMs: number): Promise<boolean> {
  const r = await db.updateTable('cluster_leases').set({ expires_at: now + ttlMs })
    .where('name', '=', name).where('holder', '=', holder).where('token', '=', token).where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The fencing check: the lease is still ours under this token and unexpired. */
export async function holdsLease(db: Db, name: string, holder: string, token: number, now: number): Promise<boolean> {
  const r = await db.selectFrom('cluster_leases').select('name')
    .where('name', '=', name).where('holder', '=', holder).where('token', '=', token).where('expires_at', '>', now)
    .executeTakeFirst();
  return r !== undefined;
}

/** A lease as one holding saw it: the token its writes are fenced with. */
export interface LeaseFence {
  name: string;
  holder: string;
  token: number;
}

/** A fenced write's outcome: done, or refused because the lease has another holder or token now. */
export type Fenced<T> = { held: true; value: T } | { held: false };

/**
 * Runs `fn` in one transaction that first takes the lease row if it still has this holder and
 * token; refused (`held: false`, nothing written) otherwise. On PostgreSQL the row is locked FOR
 * SHARE: a takeover (an UPDATE of that row) waits for this commit, and one that committed first
 * leaves no matching row, so a paused holder cannot write after the next holder started acting.
 * SQLite has one writer: its transaction is the lock.
 */
export async function underLease<T>(db: Db, dialect: DialectName, fence: LeaseFence, fn: (trx: Db) => Promise<T>): Promise<Fenced<T>> {
  return db.transaction().execute(async (trx) => {
    const q = trx.selectFrom('cluster_leases').select('token')
      .where('name', '=', fence.name).where('holder', '=', fence.holder).where('token', '=', fence.token);
    const row = await (dialect === 'postgres' ? q.forShare() : q).executeTakeFirst();
    if (!row) return { held: false as const };
    return { held: true as const, value: await fn(trx) };
  });
}

/** Gives the lease up at once (a clean stop), so another replica need not wait for it to expire. */
export async function releaseLease(db: Db, name: string, holder: string, token: number): Promise<void> {
  await db.updateTable('cluster_leases').set({ expires_at: 0 })
    .where('name', '=', name).where('holder', '=', holder).where('token', '=', token).execute();
}

export async function getLease(db: Db, name: string): Promise<LeaseRow | undefined> {
  const r = await db.selectFrom('cluster_leases').selectAll().where('name', '=', name).executeTakeFirst();
  return r ? { ...r, token: Number(r.token) } : undefined;
}

export interface EventRow {
  id: number;
  topic: string;
  origin: string;
  payload: string;
  created_at: number;
}

/** Stores an event and, on PostgreSQL, notifies listeners with it in the same statement (sent at commit). */
export async function appendEvent(db: Db, dialect: DialectName, e: Omit<EventRow, 'id'>): Promise<number> {
  if (dialect === 'postgres') {
    const r = await sql<{ id: string }>`with e as (
        insert into cluster_events (topic, origin, payload, created_at) values (${e.topic}, ${e.origin}, ${e.payload}, ${e.created_at}) returning id
      ) select id::text as id, pg_notify(${EVENT_CHANNEL}, json_build_object('id', id, 'topic', ${e.topic}::text, 'origin', ${e.origin}::text, 'payload', ${e.payload}::text)::text) from e`.execute(db);
    return Number(r.rows[0]!.id);
  }
  const r = await db.insertInto('cluster_events').values(e).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Events with an id above `afterId`, oldest first. */
export async function eventsAfter(db: Db, afterId: number, limit: number): Promise<EventRow[]> {
  const rows = await db.selectFrom('cluster_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function latestEventId(db: Db): Promise<number> {
  const r = await db.selectFrom('cluster_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(r?.id ?? 0);
}

export async function pruneEvents(db: Db, before: number): Promise<void> {
  await db.deleteFrom('cluster_events').where('created_at', '<', before).execute();
}

/** Stores a message too large for a NOTIFY for one replica; returns its id (the bus carries that). */
export async function putFrame(db: Db, f: { recipient: string; conversation: string; body: string; created_at: number }): Promise<number> {
  const r = await db.insertInto('cluster_frames').values(f).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Takes (reads and deletes) a frame addressed to `recipient`; undefined when there is none by that id. */
export async function takeFrame(db: Db, id: number, recipient: string): Promise<{ conversation: string; body: string } | undefined> {
  return await db.deleteFrom('cluster_frames').where('id', '=', id).where('recipient', '=', recipient).returning(['conversation', 'body']).executeTakeFirst();
}

/** Frames nobody took (their replica died first). */
export async function pruneFrames(db: Db, before: number): Promise<number> {
  const r = await db.deleteFrom('cluster_frames').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Inside a transaction: waits for, then holds until commit, a lock on `key` across replicas
 * (PostgreSQL advisory transaction lock). SQLite has one writer, so its transaction is the lock.
 */
export async function lockKeyForTransaction(trx: Db, dialect: DialectName, key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

// Agent links (migrations/018-agent-links.ts): which replica holds each agent's WebSocket.

/** The replica is alive now (refreshed every lease renewal). */
export async function touchReplica(db: Db, replicaId: string, now: number): Promise<void> {
  await db.insertInto('cluster_replicas').values({ replica_id: replicaId, seen_at: now })
    .onConflict((oc) => oc.column('replica_id').doUpdateSet({ seen_at: now })).execute();
}

/** A replica stopping: its row and its links go at once (a crashed one's expire with its row's age). */
export async function forgetReplica(db: Db, replicaId: string): Promise<void> {
  await db.deleteFrom('agent_links').where('replica_id', '=', replicaId).execute();
  await db.deleteFrom('cluster_replicas').where('replica_id', '=', replicaId).execute();
}

/** The agent's socket is on this replica now (the latest connection wins). */
export async function linkAgent(db: Db, nodeId: number, replicaId: string, now: number): Promise<void> {
  await db.insertInto('agent_links').values({ node_id: nodeId, replica_id: replicaId, since: now })
    .onConflict((oc) => oc.column('node_id').doUpdateSet({ replica_id: replicaId, since: now })).execute();
}

/** The socket on this replica closed; a newer link on another replica stays. */
export async function unlinkAgent(db: Db, nodeId: number, replicaId: string): Promise<void> {
  await db.deleteFrom('agent_links').where('node_id', '=', nodeId).where('replica_id', '=', replicaId).execute();
}

/** The replica holding the agent's socket, if that replica was seen since `aliveSince`. */
export async function linkedReplica(db: Db, nodeId: number, aliveSince: number): Promise<string | null> {
  const row = await db.selectFrom('agent_links as l')
    .innerJoin('cluster_replicas as r', 'r.replica_id', 'l.replica_id')
    .select('l.replica_id').where('l.node_id', '=', nodeId).where('r.seen_at', '>=', aliveSince)
    .executeTakeFirst();
  return row?.replica_id ?? null;
}
