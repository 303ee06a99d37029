import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { IncidentTable } from '../schema.ts';

export type IncidentRow = Omit<IncidentTable, 'id'> & { id: number };
export type NewIncident = Omit<IncidentRow, 'id'>;
export type IncidentPatch = Partial<Omit<IncidentRow, 'id' | 'uuid' | 'workspace_id' | 'node_id'>>;

export type IncidentWithNode = IncidentRow & { node_uuid: string; node_name: string };

function withNode(db: Db) {
  return db
    .selectFrom('incidents')
    .innerJoin('nodes', 'nodes.id', 'incidents.node_id')
    .selectAll('incidents')
    .select(['nodes.uuid as node_uuid', 'nodes.name as node_name']);
}

export async function insertIncident(db: Db, row: NewIncident): Promise<number> {
  const r = await db.insertInto('incidents').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateIncident(db: Db, id: number, patch: IncidentPatch): Promise<void> {
  await db.updateTable('incidents').set(patch).where('id', '=', id).execute();
}

export async function findActiveIncident(db: Db, nodeId: number, family: string): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('attack_family', '=', family)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export async function getIncidentByUuid(db: Db, workspaceId: string, uuid: string): Promise<IncidentWithNode | undefined> {
  return withNode(db).where('incidents.workspace_id', '=', workspaceId).where('incidents.uuid', '=', uuid).executeTakeFirst();
}

export async function getIncidentById(db: Db, workspaceId: string, id: number): Promise<IncidentWithNode | undefined> {
  return withNode(db).where('incidents.workspace_id', '=', workspaceId).where('incidents.id', '=', id).executeTakeFirst();
}

export interface IncidentListQuery {
  limit: number;
  offset: number;
  status?: string | undefined;
  severity?: string | undefined;
  nodeUuid?: string | undefined;
  since?: number | undefined;
}

export async function listIncidents(db: Db, workspaceId: string, q: IncidentListQuery): Promise<{ rows: IncidentWithNode[]; total: number }> {
  let base = withNode(db).where('incidents.workspace_id', '=', workspaceId);
  let count = db
    .selectFrom('incidents')
    .innerJoin('nodes', 'nodes.id', 'incidents.node_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('incidents.workspace_id', '=', workspaceId);
  if (q.status) {
    base = base.where('incidents.status', '=', q.status);
    count = count.where('incidents.status', '=', q.status);
  }
  if (q.severity) {
    base = base.where('incidents.severity', '=', q.severity);
    count = count.where('incidents.severity', '=', q.severity);
  }
  if (q.nodeUuid) {
    base = base.where('nodes.uuid', '=', q.nodeUuid);
    count = count.where('nodes.uuid', '=', q.nodeUuid);
  }
  if (q.since !== undefined) {
    base = base.where('incidents.started_at', '>=', q.since);
    count = count.where('incidents.started_at', '>=', q.since);
  }
  const rows = await base.orderBy('incidents.started_at', 'desc').orderBy('incidents.id', 'desc').limit(q.limit).offset(q.offset).execute();
  const total = Number((await count.executeTakeFirstOrThrow()).n);
  return { rows, total };
}

export async function incidentsSince(db: Db, workspaceId: string, since: number): Promise<IncidentWithNode[]> {
  return withNode(db).where('incidents.workspace_id', '=', workspaceId).where('incidents.started_at', '>=', since).execute();
}

export async function activeIncidentsForNode(db: Db, nodeId: number): Promise<IncidentRow[]> {
  return db.selectFrom('incidents').selectAll().where('node_id', '=', nodeId).where('status', '=', 'active').execute();
}

export interface IncidentRaise {
  peakPps?: number | undefined;
  peakBps?: number | undefined;
  sourceIpCount?: number | undefined;
  /** Severities in ascending order, and the one reported. */
  severity?: { value: string; order: readonly string[] } | undefined;
  updatedAt: number;
}

/**
 * Peaks, source counts and severity only ever go up while an incident lasts. Doing the
 * comparison in the UPDATE makes concurrent reports from one agent safe: no read-modify-
 * write race can lower a value another request just raised.
 */
export async function raiseIncident(db: Db, id: number, r: IncidentRaise): Promise<void> {
  const atLeast = (col: 'peak_pps' | 'peak_bps' | 'source_ip_count', v: number) =>
    sql<number>`CASE WHEN ${sql.ref(col)} IS NULL OR ${sql.ref(col)} < ${v} THEN ${v} ELSE ${sql.ref(col)} END`;
  const rankOf = (expr: ReturnType<typeof sql.ref> | string, order: readonly string[]) =>
    sql`CASE ${typeof expr === 'string' ? sql.lit(expr) : expr} ${sql.join(order.map((s, i) => sql`WHEN ${sql.lit(s)} THEN ${sql.lit(i)}`), sql` `)} ELSE -1 END`;
  await db
    .updateTable('incidents')
    .set(() => ({
      updated_at: r.updatedAt,
      ...(r.peakPps !== undefined ? { peak_pps: atLeast('peak_pps', Math.round(r.peakPps)) } : {}),
      ...(r.peakBps !== undefined ? { peak_bps: atLeast('peak_bps', Math.round(r.peakBps)) } : {}),
      ...(r.sourceIpCount !== undefined ? { source_ip_count: atLeast('source_ip_count', Math.round(r.sourceIpCount)) } : {}),
      ...(r.severity
        ? { severity: sql<string>`CASE WHEN ${rankOf(r.severity.value, r.severity.order)} > ${rankOf(sql.ref('severity'), r.severity.order)} THEN ${r.severity.value} ELSE severity END` }
        : {}),
    }))
    .where('id', '=', id)
    .execute();
}

export async function getIncidentRow(db: Db, id: number): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The UUIDs of these incidents, by id: for presenting rows that point at incidents. */
export async function uuidsOf(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('incidents').select(['id', 'uuid']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((i) => [i.id, i.uuid]));
}
