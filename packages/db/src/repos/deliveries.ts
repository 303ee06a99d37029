import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { DeliveryAttemptTable, DeliveryTable, MaintenanceWindowTable } from '../schema.ts';

export type DeliveryRow = Omit<DeliveryTable, 'id'> & { id: number };
export type NewDelivery = Omit<DeliveryRow, 'id'>;
export type AttemptRow = Omit<DeliveryAttemptTable, 'id'> & { id: number };
export type MaintenanceWindowRow = MaintenanceWindowTable;

/** Adds a delivery unless one with the same dedup key exists; true when added. */
export async function enqueueDelivery(db: Db, row: NewDelivery): Promise<boolean> {
  const r = await db.insertInto('deliveries').values(row).onConflict((oc) => oc.column('dedup_key').doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Pending deliveries that are due, and sends whose lease ran out (the process died mid-send). */
export async function dueDeliveries(db: Db, now: number, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where((eb) => eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
      eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
    ]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Takes a delivery for one attempt. The conditional UPDATE is the lock: of two workers
 * (or two server replicas) only one sees its row change.
 */
export async function claimDelivery(db: Db, d: DeliveryRow, now: number, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('deliveries')
    .set({ status: 'sending', attempts: d.attempts + 1, lease_until: now + leaseMs, updated_at: now })
    .where('id', '=', d.id)
    .where('status', '=', d.status)
    .where('attempts', '=', d.attempts)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Records one attempt and, if the claim it ran under is still the row's (`sending`, and no later
 * claim raised `attempts` past it), the delivery's new state; false when another worker claimed
 * it since (this one's claim ran out mid-send): that worker's state is left alone.
 */
export async function finishDelivery(
  db: Db,
  id: number,
  patch: Pick<DeliveryRow, 'status' | 'next_attempt_at' | 'last_status_code' | 'last_error' | 'delivered_at' | 'updated_at' | 'delivered_to'>,
  attempt: Omit<AttemptRow, 'id' | 'delivery_id'>,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const r = await tx.updateTable('deliveries').set({ ...patch, lease_until: null })
      .where('id', '=', id).where('status', '=', 'sending').where('attempts', '=', attempt.attempt)
      .executeTakeFirst();
    await tx.insertInto('delivery_attempts').values({ ...attempt, delivery_id: id }).execute();
    return Number(r.numUpdatedRows) === 1;
  });
}

export interface DeliveryListQuery {
  channelId?: string | undefined;
  incidentId?: number | undefined;
  status?: string | undefined;
  limit: number;
  offset: number;
}

export async function listDeliveries(db: Db, workspaceId: string, q: DeliveryListQuery) {
  let base = db
    .selectFrom('deliveries')
    .leftJoin('incidents', 'incidents.id', 'deliveries.incident_id')
    .selectAll('deliveries')
    .select('incidents.uuid as incident_uuid')
    .where('deliveries.workspace_id', '=', workspaceId);
  if (q.channelId) base = base.where('deliveries.channel_id', '=', q.channelId);
  if (q.incidentId !== undefined) base = base.where('deliveries.incident_id', '=', q.incidentId);
  if (q.status) base = base.where('deliveries.status', '=', q.status);
  const rows = await base.orderBy('deliveries.id', 'desc').limit(q.limit).offset(q.offset).execute();
  const total = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .$if(q.channelId !== undefined, (qb) => qb.where('channel_id', '=', q.channelId!))
    .$if(q.incidentId !== undefined, (qb) => qb.where('incident_id', '=', q.incidentId!))
    .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status!))
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function attemptsFor(db: Db, deliveryIds: number[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db.selectFrom('delivery_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('id').execute();
}

export async function insertMaintenanceWindow(db: Db, row: MaintenanceWindowRow): Promise<void> {
  await db.insertInto('maintenance_windows').values(row).execute();
}

export async function listMaintenanceWindows(db: Db, workspaceId: string): Promise<MaintenanceWindowRow[]> {
  return db.selectFrom('maintenance_windows').selectAll().where('workspace_id', '=', workspaceId).orderBy('starts_at').execute();
}

export async function activeMaintenanceWindows(db: Db, workspaceId: string, at: number): Promise<MaintenanceWindowRow[]> {
  return db
    .selectFrom('maintenance_windows')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('starts_at', '<=', at)
    .where('ends_at', '>', at)
    .execute();
}

export async function deleteMaintenanceWindow(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('maintenance_windows').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function countByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }>`SELECT status, count(*) AS n FROM deliveries GROUP BY status`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)]));
}
