import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../database.ts';
import type { NodeTable } from '../schema.ts';

export type NodeStatus = 'online' | 'offline' | 'attack' | 'elevated';
export type NodeRow = Omit<NodeTable, 'id'> & { id: number };
export type NodeWithStatus = NodeRow & { status: NodeStatus };
export type NewNode = Omit<NodeRow, 'id'>;

/**
 * Status is derived, never stored, so it cannot go stale: attack while an incident is
 * active; offline when nothing (heartbeat or metrics) arrived since `offlineBefore`;
 * elevated when the latest sample is above the node's learned p99 baseline; else online.
 */
export function statusExpression(offlineBefore: number) {
  return sql<NodeStatus>`CASE
    WHEN EXISTS (SELECT 1 FROM incidents i WHERE i.node_id = nodes.id AND i.status = 'active') THEN 'attack'
    WHEN nodes.last_seen_at IS NULL OR nodes.last_seen_at < ${offlineBefore} THEN 'offline'
    WHEN nodes.last_pps IS NOT NULL AND nodes.baseline_p99_pps IS NOT NULL AND nodes.last_pps > nodes.baseline_p99_pps THEN 'elevated'
    ELSE 'online' END`;
}

function statusIs(status: NodeStatus, offlineBefore: number) {
  return sql<SqlBool>`(${statusExpression(offlineBefore)}) = ${status}`;
}

function live(db: Db, workspaceId: string, offlineBefore: number) {
  return db
    .selectFrom('nodes')
    .selectAll('nodes')
    .select(statusExpression(offlineBefore).as('status'))
    .where('nodes.workspace_id', '=', workspaceId)
    .where('nodes.deleted_at', 'is', null);
}

export interface NodeListQuery {
  limit: number;
  offset: number;
  status?: NodeStatus | undefined;
  /** Part of the name or IP address, case-insensitive. */
  q?: string | undefined;
  /** Only nodes carrying this tag. */
  tag?: string | undefined;
  sort?: 'name' | 'status' | 'last_seen' | 'traffic' | undefined;
  order?: 'asc' | 'desc' | undefined;
  offlineBefore: number;
}

/** `%`, `_` and the escape itself taken literally in a LIKE pattern (escape character `!`). */
const likeLiteral = (s: string) => s.replace(/[!%_]/g, (c) => `!${c}`);

// Each sort's natural direction: names A→Z, the most urgent status, the latest seen and the busiest first.
const NATURAL: Record<NonNullable<NodeListQuery['sort']>, 'asc' | 'desc'> = { name: 'asc', status: 'asc', last_seen: 'desc', traffic: 'desc' };

export async function listNodes(db: Db, workspaceId: string, q: NodeListQuery): Promise<{ rows: NodeWithStatus[]; total: number }> {
  const conds: RawBuilder<SqlBool>[] = [];
  if (q.status) conds.push(statusIs(q.status, q.offlineBefore));
  if (q.q) {
    const pattern = `%${likeLiteral(q.q.toLowerCase())}%`;
    conds.push(sql<SqlBool>`(lower(nodes.name) LIKE ${pattern} ESCAPE '!' OR lower(nodes.ip) LIKE ${pattern} ESCAPE '!')`);
  }
  // Tags are a JSON list of words that hold no quotes: the quoted word matches one whole tag.
  if (q.tag) conds.push(sql<SqlBool>`nodes.tags LIKE ${`%${likeLiteral(JSON.stringify(q.tag))}%`} ESCAPE '!'`);
  const where = conds.length > 0 ? sql<SqlBool>`${sql.join(conds, sql` AND `)}` : sql<SqlBool>`1 = 1`;
  let base = live(db, workspaceId, q.offlineBefore).where(where);
  if (q.sort) {
    const dir = sql.raw(q.order ?? NATURAL[q.sort]);
    const key = q.sort === 'name' ? sql`lower(nodes.name)`
      : q.sort === 'status' ? sql`CASE (${statusExpression(q.offlineBefore)}) WHEN 'attack' THEN 0 WHEN 'elevated' THEN 1 WHEN 'online' THEN 2 ELSE 3 END`
        : q.sort === 'last_seen' ? sql`nodes.last_seen_at` : sql`nodes.last_pps`;
    // Never-seen nodes and nodes without traffic go last whichever way.
    base = base.orderBy(sql`${key} ${dir} NULLS LAST`);
  }
  const rows = await base.orderBy('nodes.id').limit(q.limit).offset(q.offset).execute();
  const countQ = db
    .selectFrom('nodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .where(where);
  const total = Number((await countQ.executeTakeFirstOrThrow()).n);
  return { rows: rows, total };
}

export async function getNodeByUuid(db: Db, workspaceId: string, uuid: string, offlineBefore: number): Promise<NodeWithStatus | undefined> {
  return (await live(db, workspaceId, offlineBefore).where('nodes.uuid', '=', uuid).executeTakeFirst());
}

export async function getNodeById(db: Db, workspaceId: string, id: number, offlineBefore: number): Promise<NodeWithStatus | undefined> {
  return (await live(db, workspaceId, offlineBefore).where('nodes.id', '=', id).executeTakeFirst());
}

/** Node-key authentication: the row for a live node holding this key digest. */
export async function findNodeByKeyDigest(db: Db, digest: string): Promise<NodeRow | undefined> {
  return db.selectFrom('nodes').selectAll().where('api_key_digest', '=', digest).where('deleted_at', 'is', null).executeTakeFirst();
}

export async function countLiveNodes(db: Db, workspaceId: string): Promise<number> {
  const r = await db
    .selectFrom('nodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function nodeNameTaken(db: Db, workspaceId: string, name: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('nodes').select('id').where('workspace_id', '=', workspaceId).where('name', '=', name).where('deleted_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function insertNode(db: Db, row: NewNode): Promise<number> {
  const r = await db.insertInto('nodes').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export type NodePatch = Partial<
  Pick<NodeRow, 'name' | 'ip' | 'location' | 'os' | 'interface' | 'priority' | 'pps_threshold' | 'bps_threshold' | 'tags' | 'agent_settings' | 'updated_at'>
>;

export async function updateNode(db: Db, workspaceId: string, id: number, patch: NodePatch): Promise<void> {
  await db.updateTable('nodes').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function softDeleteNode(db: Db, workspaceId: string, id: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('nodes')
    .set({ deleted_at: now, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export interface HeartbeatUpdate {
  at: number;
  agentVersion: string | null;
  os: string | null;
  uptime: number | null;
  baselineP99: number | null;
  baselineMean: number | null;
  agentInfo: string;
}

export async function recordHeartbeat(db: Db, nodeId: number, h: HeartbeatUpdate): Promise<void> {
  await db
    .updateTable('nodes')
    .set((eb) => ({
      last_seen_at: h.at,
      agent_version: h.agentVersion ?? eb.ref('agent_version'),
      os: h.os ?? eb.ref('os'),
      uptime_seconds: h.uptime ?? eb.ref('uptime_seconds'),
      baseline_p99_pps: h.baselineP99 ?? eb.ref('baseline_p99_pps'),
      baseline_mean_pps: h.baselineMean ?? eb.ref('baseline_mean_pps'),
      agent_info: h.agentInfo,
    }))
    .where('id', '=', nodeId)
    .execute();
}

export async function setBaseline(db: Db, nodeId: number, p99: number, mean: number): Promise<void> {
  await db.updateTable('nodes').set({ baseline_p99_pps: p99, baseline_mean_pps: mean }).where('id', '=', nodeId).execute();
}

/** Node-key authentication for many keys at once (see the server's batch loader). */
export async function findNodesByKeyDigests(db: Db, digests: string[]): Promise<NodeRow[]> {
  if (digests.length === 0) return [];
  return db.selectFrom('nodes').selectAll().where('api_key_digest', 'in', digests).where('deleted_at', 'is', null).execute();
}

/** A node's row by id, whatever its workspace (for services that already hold a row pointing at it). */
export async function getNodeRow(db: Db, id: number): Promise<NodeRow | undefined> {
  return db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The UUIDs of these nodes (deleted ones included), by id: for presenting rows that point at nodes. */
export async function uuidsOf(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((n) => [n.id, n.uuid]));
}
