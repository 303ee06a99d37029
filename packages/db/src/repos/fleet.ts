// The fleet view of agents: host reports, single-use stream tickets, file transfer records,
// and the removal of an agent with everything it left behind.
import type { Db } from '../database.ts';
import type { FleetHostTable, FleetStreamTicketTable, FleetTransferTable } from '../schema.ts';

export type FleetHostRow = FleetHostTable;
export type FleetTicketRow = FleetStreamTicketTable;
export type FleetTransferRow = FleetTransferTable;

// --- host reports
export async function saveHost(db: Db, row: FleetHostRow): Promise<void> {
  const { node_id: _id, ...rest } = row;
  await db.insertInto('fleet_hosts').values(row).onConflict((oc) => oc.column('node_id').doUpdateSet(rest)).execute();
}

export async function getHost(db: Db, nodeId: number): Promise<FleetHostRow | undefined> {
  return db.selectFrom('fleet_hosts').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
}

export async function hostsOf(db: Db, nodeIds: readonly number[]): Promise<Map<number, FleetHostRow>> {
  const out = new Map<number, FleetHostRow>();
  // bounded IN lists: a workspace may hold many thousands of nodes
  for (let i = 0; i < nodeIds.length; i += 1000) {
    const rows = await db.selectFrom('fleet_hosts').selectAll().where('node_id', 'in', nodeIds.slice(i, i + 1000)).execute();
    for (const r of rows) out.set(Number(r.node_id), r);
  }
  return out;
}

/** A report counts as contact (status online); it also carries the agent's OS, version and uptime. */
export async function noteReport(db: Db, nodeId: number, r: { at: number; os: string | null; version: string | null; uptime: number | null }): Promise<void> {
  await db
    .updateTable('nodes')
    .set((eb) => ({
      last_seen_at: r.at,
      os: r.os ?? eb.ref('os'),
      agent_version: r.version ?? eb.ref('agent_version'),
      uptime_seconds: r.uptime ?? eb.ref('uptime_seconds'),
    }))
    .where('id', '=', nodeId)
    .execute();
}

// --- stream tickets
export async function insertTicket(db: Db, row: FleetTicketRow): Promise<void> {
  await db.insertInto('fleet_stream_tickets').values(row).execute();
}

/**
 * Spends a ticket: one conditional UPDATE, so of two opens racing (on any replica) one wins.
 * Returns the ticket when this call spent it, or why not.
 */
export async function spendTicket(db: Db, digest: string, now: number): Promise<{ ok: true; row: FleetTicketRow } | { ok: false; why: 'unknown' | 'used' | 'expired' }> {
  const r = await db
    .updateTable('fleet_stream_tickets')
    .set({ used_at: now })
    .where('digest', '=', digest)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const row = await db.selectFrom('fleet_stream_tickets').selectAll().where('digest', '=', digest).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1 && row) return { ok: true, row };
  if (!row) return { ok: false, why: 'unknown' };
  return { ok: false, why: row.used_at !== null ? 'used' : 'expired' };
}

export async function deleteTicketsExpiredBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('fleet_stream_tickets').where('expires_at', '<', before).execute();
}

// --- transfers
export async function insertTransfer(db: Db, row: FleetTransferRow): Promise<void> {
  await db.insertInto('fleet_transfers').values(row).execute();
}

export async function finishTransfer(db: Db, id: string, patch: Pick<FleetTransferRow, 'status' | 'error' | 'finished_at'> & Partial<Pick<FleetTransferRow, 'size' | 'sha256' | 'path'>>): Promise<void> {
  await db.updateTable('fleet_transfers').set(patch).where('id', '=', id).execute();
}

export async function listTransfers(db: Db, nodeId: number, limit: number): Promise<FleetTransferRow[]> {
  return db.selectFrom('fleet_transfers').selectAll().where('node_id', '=', nodeId).orderBy('created_at', 'desc').limit(limit).execute();
}

// --- removal
export async function incidentIdsOf(db: Db, nodeId: number): Promise<Set<number>> {
  return new Set((await db.selectFrom('incidents').select('id').where('node_id', '=', nodeId).execute()).map((r) => Number(r.id)));
}

/** Files on disk that belonged to a removed node: the caller deletes them after the commit. */
export interface RemovedNode { pcapPaths: string[]; uploadDirs: string[] }

/**
 * Removes a node and its history in one transaction: metrics (raw and roll-ups), incidents with
 * their notification deliveries, captures, upload spools, commands, node-scoped allowlist
 * entries, host reports, tickets and transfer records. Mitigation rules are the workspace's
 * record of what was announced: they stay, unlinked from the node and its incidents (the
 * caller withdraws the live ones first). The audit log is append-only and keeps its entries.
 */
export async function deleteNodeWithHistory(db: Db, workspaceId: string, nodeId: number): Promise<RemovedNode | null> {
  return db.transaction().execute(async (tx) => {
    const node = await tx.selectFrom('nodes').select('id').where('id', '=', nodeId).where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (!node) return null;
    const incidentIds = tx.selectFrom('incidents').select('id').where('node_id', '=', nodeId);
    const pcapPaths = (await tx.selectFrom('pcaps').select('path').where('node_id', '=', nodeId).execute()).map((p) => p.path);
    const uploadDirs = (await tx.selectFrom('pcap_uploads').select('dir').where('node_id', '=', nodeId).execute()).map((u) => u.dir);
    await tx.deleteFrom('delivery_attempts').where('delivery_id', 'in', tx.selectFrom('deliveries').select('id').where('incident_id', 'in', incidentIds)).execute();
    await tx.deleteFrom('deliveries').where('incident_id', 'in', incidentIds).execute();
    await tx.updateTable('mitigation_rules').set({ node_id: null }).where('node_id', '=', nodeId).execute();
    await tx.updateTable('mitigation_rules').set({ incident_id: null }).where('incident_id', 'in', incidentIds).execute();
    // scrubbing diversions are the workspace's record too (the caller ended the live ones through their service)
    await tx.updateTable('scrubbing_diversions').set({ node_id: null }).where('node_id', '=', nodeId).execute();
    await tx.updateTable('scrubbing_diversions').set({ incident_id: null }).where('incident_id', 'in', incidentIds).execute();
    await tx.deleteFrom('pcaps').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('pcap_uploads').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('incidents').where('node_id', '=', nodeId).execute();
    for (const t of ['metrics', 'metrics_1m', 'metrics_1h', 'metrics_late'] as const) await tx.deleteFrom(t).where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('commands').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('allowlist').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('fleet_hosts').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('fleet_stream_tickets').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('fleet_transfers').where('node_id', '=', nodeId).execute();
    // a flow collector's exporters and talkers; the hosts it reported for stay, unlinked from it
    await tx.deleteFrom('flow_talkers').where('node_id', '=', nodeId).execute();
    await tx.deleteFrom('flow_exporters').where('collector_node_id', '=', nodeId).execute();
    await tx.updateTable('nodes').set({ parent_node_id: null }).where('parent_node_id', '=', nodeId).execute();
    await tx.deleteFrom('nodes').where('id', '=', nodeId).execute();
    return { pcapPaths, uploadDirs };
  });
}
