// Flow collection: collectors (nodes of kind `collector` with their networks), the flow nodes
// they report on (kind `flow`, one per protected address, created on first sight), each
// collector's exporters' latest status, and per-host top talkers per report interval.
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import type { Db } from '../database.ts';
import type { NodeRow } from './nodes.ts';

export interface ExporterRow {
  collector_node_id: number;
  exporter: string;
  status: string;
  last_datagram_at: number | null;
  updated_at: number;
}

export interface TalkerSample {
  src: string;
  packets: number;
  bytes: number;
}

/** Marks a node as a collector protecting `networks` (canonical prefixes). */
export async function setCollector(db: Db, nodeId: number, networks: readonly string[], now: number): Promise<void> {
  await db.updateTable('nodes').set({ kind: 'collector', flow_networks: JSON.stringify(networks), updated_at: now }).where('id', '=', nodeId).execute();
}

/** The flow node of `host` under this collector (live ones only). */
export async function findFlowNode(db: Db, collectorId: number, host: string): Promise<NodeRow | undefined> {
  return db.selectFrom('nodes').selectAll().where('parent_node_id', '=', collectorId).where('ip', '=', host)
    .where('kind', '=', 'flow').where('deleted_at', 'is', null).executeTakeFirst();
}

/**
 * Creates the flow node of `host` under `collector` (name "<collector>/<host>"). It has no key
 * of its own: the digest stored is of random bytes nobody holds, so no request can present it.
 * A concurrent creation of the same node is settled by the name's unique index: the loser reads
 * the winner's row.
 */
export async function ensureFlowNode(db: Db, collector: NodeRow, host: string, now: number): Promise<NodeRow> {
  const found = await findFlowNode(db, collector.id, host);
  if (found) return found;
  try {
    await db.insertInto('nodes').values({
      uuid: randomUUID(), workspace_id: collector.workspace_id, name: `${collector.name}/${host}`, ip: host, location: collector.location,
      os: null, interface: 'flow', priority: collector.priority, api_key_digest: createHash('sha256').update(randomBytes(32)).digest('hex'),
      agent_version: null, pps_threshold: null, bps_threshold: null, baseline_p99_pps: null, baseline_mean_pps: null,
      last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null, last_udp_pct: null, last_icmp_pct: null,
      last_conn_count: null, last_metrics_at: null, uptime_seconds: null, agent_info: JSON.stringify({ collector: collector.uuid }),
      tags: JSON.stringify(['flow']), created_at: now, updated_at: now, deleted_at: null, kind: 'flow', parent_node_id: collector.id, flow_networks: null,
    }).execute();
  } catch (err) {
    const again = await findFlowNode(db, collector.id, host);
    if (again) return again;
    throw err;
  }
  const row = await findFlowNode(db, collector.id, host);
  if (!row) throw new Error('flow node vanished after insert');
  return row;
}

/** The collector's flow nodes (live ones). */
export async function flowNodesOf(db: Db, collectorId: number): Promise<NodeRow[]> {
  return db.selectFrom('nodes').selectAll().where('parent_node_id', '=', collectorId).where('kind', '=', 'flow').where('deleted_at', 'is', null).orderBy('id').execute();
}

/** The workspace's collectors (live ones). */
export async function listCollectors(db: Db, workspaceId: string): Promise<NodeRow[]> {
  return db.selectFrom('nodes').selectAll().where('workspace_id', '=', workspaceId).where('kind', '=', 'collector').where('deleted_at', 'is', null).orderBy('id').execute();
}

/** Replaces what is known of the collector's exporters with its latest report (one row per exporter, kept when absent from a report). */
export async function upsertExporters(db: Db, collectorId: number, rows: { exporter: string; status: string; lastDatagramAt: number | null }[], now: number): Promise<void> {
  for (const r of rows) {
    await db.insertInto('flow_exporters')
      .values({ collector_node_id: collectorId, exporter: r.exporter, status: r.status, last_datagram_at: r.lastDatagramAt, updated_at: now })
      .onConflict((oc) => oc.columns(['collector_node_id', 'exporter']).doUpdateSet({ status: r.status, last_datagram_at: r.lastDatagramAt, updated_at: now }))
      .execute();
  }
}

export async function listExporters(db: Db, collectorIds: readonly number[]): Promise<ExporterRow[]> {
  if (collectorIds.length === 0) return [];
  return db.selectFrom('flow_exporters').selectAll().where('collector_node_id', 'in', [...collectorIds]).orderBy('collector_node_id').orderBy('exporter').execute();
}

/** Stores one report interval's top talkers of a flow node (a resent report replaces its rows). */
export async function insertTalkers(db: Db, nodeId: number, ts: number, talkers: readonly TalkerSample[]): Promise<void> {
  if (talkers.length === 0) return;
  await db.deleteFrom('flow_talkers').where('node_id', '=', nodeId).where('ts', '=', ts).execute();
  await db.insertInto('flow_talkers').values(talkers.map((t) => ({ node_id: nodeId, ts, src: t.src, packets: Math.round(t.packets), bytes: Math.round(t.bytes) }))).execute();
}

/** Sources by packets summed over [from, to], at most `limit`. */
export async function topTalkers(db: Db, nodeId: number, from: number, to: number, limit: number): Promise<TalkerSample[]> {
  const rows = await db.selectFrom('flow_talkers')
    .select((eb) => ['src', eb.fn.sum<number>('packets').as('packets'), eb.fn.sum<number>('bytes').as('bytes')])
    .where('node_id', '=', nodeId).where('ts', '>=', from).where('ts', '<=', to)
    .groupBy('src').orderBy('packets', 'desc').orderBy('src').limit(limit).execute();
  return rows.map((r) => ({ src: r.src, packets: Number(r.packets), bytes: Number(r.bytes) }));
}

/** Drops talker rows older than `before` (retention). */
export async function pruneTalkers(db: Db, before: number): Promise<void> {
  await db.deleteFrom('flow_talkers').where('ts', '<', before).execute();
}
