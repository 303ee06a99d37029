import type { Db } from '../database.ts';
import type { PcapTable, PcapUploadTable } from '../schema.ts';

export type PcapRow = Omit<PcapTable, 'id'> & { id: number };
export type PcapUploadRow = PcapUploadTable;

export async function insertPcap(db: Db, row: Omit<PcapRow, 'id' | 'packet_count' | 'analysis' | 'analysis_at'>): Promise<number> {
  const r = await db.insertInto('pcaps').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** The capture this node already sent with this content for this incident (a retried upload). */
export async function findSamePcap(db: Db, nodeId: number, incidentId: number | null, sha256: string): Promise<PcapRow | undefined> {
  let q = db.selectFrom('pcaps').selectAll().where('node_id', '=', nodeId).where('sha256', '=', sha256);
  q = incidentId === null ? q.where('incident_id', 'is', null) : q.where('incident_id', '=', incidentId);
  return q.limit(1).executeTakeFirst();
}

export async function listPcaps(db: Db, workspaceId: string, limit: number, offset: number) {
  const rows = await db
    .selectFrom('pcaps')
    .innerJoin('nodes', 'nodes.id', 'pcaps.node_id')
    .leftJoin('incidents', 'incidents.id', 'pcaps.incident_id')
    .selectAll('pcaps')
    .select(['nodes.uuid as node_uuid', 'nodes.name as node_name', 'incidents.uuid as incident_uuid'])
    .where('pcaps.workspace_id', '=', workspaceId)
    .orderBy('pcaps.created_at', 'desc')
    .orderBy('pcaps.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  const total = await db
    .selectFrom('pcaps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function getPcapById(db: Db, workspaceId: string, id: number): Promise<PcapRow | undefined> {
  return db.selectFrom('pcaps').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function getPcapByUuid(db: Db, workspaceId: string, uuid: string): Promise<PcapRow | undefined> {
  return db.selectFrom('pcaps').selectAll().where('workspace_id', '=', workspaceId).where('uuid', '=', uuid).executeTakeFirst();
}

export async function pcapsForIncident(db: Db, incidentId: number): Promise<PcapRow[]> {
  return db.selectFrom('pcaps').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
}

export async function getUpload(db: Db, nodeId: number, uploadId: string): Promise<PcapUploadRow | undefined> {
  return db.selectFrom('pcap_uploads').selectAll().where('node_id', '=', nodeId).where('upload_id', '=', uploadId).executeTakeFirst();
}

export async function insertUpload(db: Db, row: PcapUploadRow): Promise<void> {
  await db.insertInto('pcap_uploads').values(row).execute();
}

export async function updateUpload(db: Db, uploadId: string, patch: Partial<PcapUploadRow>): Promise<void> {
  await db.updateTable('pcap_uploads').set(patch).where('upload_id', '=', uploadId).execute();
}

export async function deleteUpload(db: Db, uploadId: string): Promise<void> {
  await db.deleteFrom('pcap_uploads').where('upload_id', '=', uploadId).execute();
}

export async function setPacketCount(db: Db, id: number, count: number): Promise<void> {
  await db.updateTable('pcaps').set({ packet_count: count }).where('id', '=', id).execute();
}

export async function setAnalysis(db: Db, id: number, analysis: string, at: number): Promise<void> {
  await db.updateTable('pcaps').set({ analysis, analysis_at: at }).where('id', '=', id).execute();
}
