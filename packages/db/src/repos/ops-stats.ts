// What the server's Prometheus gauges read at scrape time: counts over the whole database
// (every workspace), labelled by ids and states only, never by names or addresses.
import { sql } from 'kysely';
import type { Db } from '../database.ts';

export interface OutboxStats {
  byStatus: Record<string, number>;
  /** Age of the oldest message still waiting to go out (0 when none waits). */
  oldestPendingMs: number;
}

export async function outboxStats(db: Db, now: number): Promise<OutboxStats> {
  const rows = await sql<{ status: string; n: number | string; oldest: number | string | null }>`
    SELECT status, count(*) AS n, min(created_at) AS oldest FROM deliveries GROUP BY status`.execute(db);
  const byStatus: Record<string, number> = {};
  let oldestPendingMs = 0;
  for (const r of rows.rows) {
    byStatus[r.status] = Number(r.n);
    if (r.status === 'pending' && r.oldest != null) oldestPendingMs = Math.max(0, now - Number(r.oldest));
  }
  return { byStatus, oldestPendingMs };
}

export async function activeIncidentsBySeverity(db: Db): Promise<Record<string, number>> {
  const rows = await sql<{ severity: string; n: number | string }>`
    SELECT severity, count(*) AS n FROM incidents WHERE status = 'active' GROUP BY severity`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.severity, Number(r.n)]));
}

/** Mitigation rules not yet withdrawn, by status and intent (blackhole, flowspec, firewall…). */
export async function liveRules(db: Db): Promise<{ status: string; intent: string; n: number }[]> {
  const rows = await sql<{ status: string; intent_type: string; n: number | string }>`
    SELECT status, intent_type, count(*) AS n FROM mitigation_rules
    WHERE status IN ('pending', 'active', 'withdrawing', 'dry_run') AND withdrawn_at IS NULL GROUP BY status, intent_type`.execute(db);
  return rows.rows.map((r) => ({ status: r.status, intent: r.intent_type, n: Number(r.n) }));
}

export async function adapterHealth(db: Db): Promise<{ id: string; type: string; up: boolean }[]> {
  const rows = await db.selectFrom('mitigation_adapters').select(['id', 'adapter_type', 'status']).execute();
  return rows.map((r) => ({ id: r.id, type: r.adapter_type, up: r.status === 'up' }));
}

/** Live nodes by kind, split into those heard from since `offlineBefore` and those not. */
export async function nodesSeen(db: Db, offlineBefore: number): Promise<{ kind: string; online: number; offline: number }[]> {
  const rows = await sql<{ kind: string | null; online: number | string; offline: number | string }>`
    SELECT kind,
      sum(CASE WHEN last_seen_at IS NOT NULL AND last_seen_at >= ${offlineBefore} THEN 1 ELSE 0 END) AS online,
      sum(CASE WHEN last_seen_at IS NULL OR last_seen_at < ${offlineBefore} THEN 1 ELSE 0 END) AS offline
    FROM nodes WHERE deleted_at IS NULL GROUP BY kind`.execute(db);
  return rows.rows.map((r) => ({ kind: r.kind ?? 'agent', online: Number(r.online), offline: Number(r.offline) }));
}
