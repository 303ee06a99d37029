import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../database.ts';
import type { DialectName } from '../dialect-name.ts';
import type { MetricRollupTable, MetricTable } from '../schema.ts';

export type MetricRow = MetricTable;
export type RollupTable = 'metrics_1m' | 'metrics_1h';

const INSERT_CHUNK = 500;

/** Splits n into chunks of a few fixed sizes, so statement texts repeat and stay prepared. */
export function fixedChunks(n: number): number[] {
  const out: number[] = [];
  for (const size of [INSERT_CHUNK, 100, 25, 5, 1]) {
    while (n >= size) {
      out.push(size);
      n -= size;
    }
  }
  return out;
}

function* slices<T>(rows: T[]): Generator<T[]> {
  let i = 0;
  for (const size of fixedChunks(rows.length)) {
    yield rows.slice(i, i + size);
    i += size;
  }
}

// The two statements every ingest flush runs are written out here rather than built:
// at 10,000 samples a second, building them cost ~17 µs a row, ten times SQLite's own work.
// Their text depends only on the dialect and the chunk size, so it is cached and stays prepared.
const textCache = new Map<string, string>();

function placeholders(dialect: DialectName, rows: number, cols: number, casts: string[] = []): string {
  const out: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < cols; c++) {
      const p = dialect === 'postgres' ? `$${++n}` : '?';
      cells.push(casts[c] ? `CAST(${p} AS ${casts[c]})` : p);
    }
    out.push(`(${cells.join(', ')})`);
  }
  return out.join(', ');
}

function cachedText(key: string, make: () => string): string {
  let t = textCache.get(key);
  if (t === undefined) {
    t = make();
    textCache.set(key, t);
  }
  return t;
}

// PostgreSQL gets each flush as one statement of a fixed text whatever its size: the rows travel
// as one array per column (unnest). Chunked VALUES lists cost a round trip per chunk (a batch of
// 37 rows was 5 INSERTs and 5 UPDATEs) and a new parse per size; with several replicas flushing
// small batches, those round trips were most of the server's and PostgreSQL's CPU per sample.
const PG_INSERT_SELECT = `INSERT INTO metrics (node_id, ts, pps, bps, tcp_pct, udp_pct, icmp_pct, conn_count)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[], $8::bigint[])
  ON CONFLICT (node_id, ts) DO NOTHING`;

const pgLatestUpdate = (first: number) => {
  const p = (i: number) => `$${first + i}`;
  return `UPDATE nodes SET last_pps = v.pps, last_bps = v.bps, last_tcp_pct = v.tcp, last_udp_pct = v.udp,
    last_icmp_pct = v.icmp, last_conn_count = v.conn, last_metrics_at = v.ts,
    last_seen_at = CASE WHEN nodes.last_seen_at IS NULL OR nodes.last_seen_at < v.seen THEN v.seen ELSE nodes.last_seen_at END
  FROM unnest(${p(0)}::bigint[], ${p(1)}::bigint[], ${p(2)}::bigint[], ${p(3)}::bigint[], ${p(4)}::bigint[], ${p(5)}::float8[], ${p(6)}::float8[], ${p(7)}::float8[], ${p(8)}::bigint[])
    AS v(id, ts, seen, pps, bps, tcp, udp, icmp, conn)
  WHERE nodes.id = v.id AND (nodes.last_metrics_at IS NULL OR nodes.last_metrics_at <= v.ts)`;
};
const PG_LATEST_UPDATE = pgLatestUpdate(1);
// Both in one statement: a data-modifying WITH runs whether or not the UPDATE reads it, and one
// statement is atomic without BEGIN and COMMIT (two more round trips per flush).
const PG_STORE_FRESH = `WITH ins AS (${PG_INSERT_SELECT}) ${pgLatestUpdate(9)}`;

function metricColumns(rows: MetricRow[]): unknown[][] {
  const cols: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const r of rows) {
    cols[0]!.push(r.node_id); cols[1]!.push(r.ts); cols[2]!.push(r.pps); cols[3]!.push(r.bps);
    cols[4]!.push(r.tcp_pct); cols[5]!.push(r.udp_pct); cols[6]!.push(r.icmp_pct); cols[7]!.push(r.conn_count);
  }
  return cols;
}

function latestColumns(samples: LatestSample[]): unknown[][] {
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const s of samples) {
    cols[0]!.push(s.nodeId); cols[1]!.push(s.ts); cols[2]!.push(s.seenAt); cols[3]!.push(s.pps); cols[4]!.push(s.bps);
    cols[5]!.push(s.tcpPct); cols[6]!.push(s.udpPct); cols[7]!.push(s.icmpPct); cols[8]!.push(s.connCount);
  }
  return cols;
}

/**
 * PostgreSQL only: a flush's raw samples and the nodes' live values in one atomic statement (no
 * transaction needed around it). Same effect as insertMetrics then applyLatestSamples.
 */
export async function storeFreshSamples(db: Db, rows: MetricRow[], latest: LatestSample[]): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(PG_STORE_FRESH, [...metricColumns(rows), ...latestColumns(latest)]));
}

/** Idempotent on (node, second): an agent that resends a batch after a timeout adds nothing. */
export async function insertMetrics(db: Db, rows: MetricRow[], dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    if (rows.length > 0) await db.executeQuery(CompiledQuery.raw(PG_INSERT_SELECT, metricColumns(rows)));
    return;
  }
  for (const chunk of slices(rows)) {
    const text = cachedText(`ins:${dialect}:${chunk.length}`, () =>
      `INSERT INTO metrics (node_id, ts, pps, bps, tcp_pct, udp_pct, icmp_pct, conn_count) VALUES ${placeholders(dialect, chunk.length, 8)} ON CONFLICT (node_id, ts) DO NOTHING`);
    const params: unknown[] = [];
    for (const r of chunk) params.push(r.node_id, r.ts, r.pps, r.bps, r.tcp_pct, r.udp_pct, r.icmp_pct, r.conn_count);
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
}

export interface LatestSample {
  nodeId: number;
  ts: number;
  seenAt: number;
  pps: number;
  bps: number;
  tcpPct: number | null;
  udpPct: number | null;
  icmpPct: number | null;
  connCount: number | null;
}

const LATEST_CASTS = ['BIGINT', 'BIGINT', 'BIGINT', 'BIGINT', 'BIGINT', 'DOUBLE PRECISION', 'DOUBLE PRECISION', 'DOUBLE PRECISION', 'BIGINT'];

/** One statement for a whole flush: the latest sample of each node becomes its live values. */
export async function applyLatestSamples(db: Db, samples: LatestSample[], dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    if (samples.length > 0) await db.executeQuery(CompiledQuery.raw(PG_LATEST_UPDATE, latestColumns(samples)));
    return;
  }
  for (const chunk of slices(samples)) {
    const text = cachedText(`upd:${dialect}:${chunk.length}`, () =>
      `WITH v(id, ts, seen, pps, bps, tcp, udp, icmp, conn) AS (VALUES ${placeholders(dialect, chunk.length, 9, LATEST_CASTS)})
      UPDATE nodes SET last_pps = v.pps, last_bps = v.bps, last_tcp_pct = v.tcp, last_udp_pct = v.udp,
        last_icmp_pct = v.icmp, last_conn_count = v.conn, last_metrics_at = v.ts,
        last_seen_at = CASE WHEN nodes.last_seen_at IS NULL OR nodes.last_seen_at < v.seen THEN v.seen ELSE nodes.last_seen_at END
      FROM v WHERE nodes.id = v.id AND (nodes.last_metrics_at IS NULL OR nodes.last_metrics_at <= v.ts)`);
    const params: unknown[] = [];
    for (const s of chunk) params.push(s.nodeId, s.ts, s.seenAt, s.pps, s.bps, s.tcpPct, s.udpPct, s.icmpPct, s.connCount);
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
}

/** One roll-up row's worth of samples, to be merged into an existing row. */
export type RollupRow = MetricRollupTable;

/**
 * Records the keys of late samples (older than raw retention) and returns those never
 * seen before: only they may be merged into a roll-up, so a resent batch adds nothing.
 */
export async function claimLateSamples(db: Db, keys: { node_id: number; ts: number }[], receivedAt: number, dialect: DialectName): Promise<{ node_id: number; ts: number }[]> {
  const out: { node_id: number; ts: number }[] = [];
  for (const chunk of slices(keys)) {
    const text = cachedText(`late:${dialect}:${chunk.length}`, () =>
      `INSERT INTO metrics_late (node_id, ts, received_at) VALUES ${placeholders(dialect, chunk.length, 3)} ON CONFLICT (node_id, ts) DO NOTHING RETURNING node_id, ts`);
    const params: unknown[] = [];
    for (const k of chunk) params.push(k.node_id, k.ts, receivedAt);
    const r = await db.executeQuery<{ node_id: number | string; ts: number | string }>(CompiledQuery.raw(text, params));
    for (const row of r.rows) out.push({ node_id: Number(row.node_id), ts: Number(row.ts) });
  }
  return out;
}

export async function deleteLateKeysOlderThan(db: Db, receivedBefore: number): Promise<void> {
  await db.deleteFrom('metrics_late').where('received_at', '<', receivedBefore).execute();
}

// Larger of two nullable values, NULL only when both are (PostgreSQL's GREATEST and
// SQLite's max() disagree on NULL, so it is spelled out).
const greater = (col: string) => `CASE WHEN excluded.${col} IS NULL THEN t.${col} WHEN t.${col} IS NULL OR excluded.${col} > t.${col} THEN excluded.${col} ELSE t.${col} END`;
// Sample-weighted mean of two nullable averages.
const weighted = (col: string) =>
  `CASE WHEN excluded.${col} IS NULL THEN t.${col} WHEN t.${col} IS NULL THEN excluded.${col} ELSE (t.${col} * t.samples + excluded.${col} * excluded.samples) / (t.samples + excluded.samples) END`;

/**
 * Merges partial roll-ups (late samples grouped per node and bucket) into a roll-up table:
 * counts add, maxima take the larger, averages are weighted by sample count — what the
 * roll-up job would have computed had the samples arrived in time.
 */
export async function mergeIntoRollup(db: Db, table: RollupTable, rows: RollupRow[], dialect: DialectName): Promise<void> {
  const text = `INSERT INTO ${table} AS t (node_id, ts, samples, avg_pps, max_pps, avg_bps, max_bps, avg_tcp_pct, avg_udp_pct, avg_icmp_pct, max_conn_count)
    VALUES ${placeholders(dialect, 1, 11)}
    ON CONFLICT (node_id, ts) DO UPDATE SET samples = t.samples + excluded.samples,
      avg_pps = (t.avg_pps * t.samples + excluded.avg_pps * excluded.samples) / (t.samples + excluded.samples), max_pps = ${greater('max_pps')},
      avg_bps = (t.avg_bps * t.samples + excluded.avg_bps * excluded.samples) / (t.samples + excluded.samples), max_bps = ${greater('max_bps')},
      avg_tcp_pct = ${weighted('avg_tcp_pct')}, avg_udp_pct = ${weighted('avg_udp_pct')}, avg_icmp_pct = ${weighted('avg_icmp_pct')},
      max_conn_count = ${greater('max_conn_count')}`;
  for (const r of rows) {
    await db.executeQuery(CompiledQuery.raw(text, [r.node_id, r.ts, r.samples, r.avg_pps, r.max_pps, r.avg_bps, r.max_bps, r.avg_tcp_pct, r.avg_udp_pct, r.avg_icmp_pct, r.max_conn_count]));
  }
}

/**
 * Runs `step` over every node id, a range at a time, lowest first, letting the event loop run
 * between ranges: on SQLite every statement runs on the server's one thread, and one statement
 * over every node's minute (600,000 rows at 10,000 nodes) held all requests for a few hundred
 * milliseconds once a minute. The range adapts so a step takes about STEP_TARGET_MS: fixed
 * ranges of 500 nodes still took 50–100 ms each on a slow machine, a p99 spike per step.
 */
const letOthersRun = () => new Promise<void>((resolve) => setImmediate(resolve));
const STEP_TARGET_MS = 8;
const RANGE_MIN = 16;
const RANGE_MAX = 8192;

export async function forNodeRanges(db: Db, step: (lo: number, hi: number) => Promise<void>): Promise<void> {
  const r = await db.selectFrom('nodes').select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')]).executeTakeFirst();
  if (r?.lo == null || r.hi == null) return;
  const last = Number(r.hi);
  let size = 128;
  for (let lo = Number(r.lo); lo <= last;) {
    const hi = Math.min(last, lo + size - 1);
    const t0 = performance.now();
    await step(lo, hi);
    lo = hi + 1;
    const took = performance.now() - t0;
    await letOthersRun();
    if (took > STEP_TARGET_MS * 2) size = Math.max(RANGE_MIN, Math.floor(size / 2));
    else if (took < STEP_TARGET_MS / 2) size = Math.min(RANGE_MAX, size * 2);
  }
}

// Every replica rolls up the minutes it received samples for, so two can upsert the same roll-up
// rows at once, each over its own ranges: the rows go in node order (ORDER BY), so their row locks
// are taken in one global order and two upserts wait for each other instead of deadlocking.

/** Recomputes the 1-minute roll-up of every node for the minutes starting at `minutes`. */
export async function rollupMinutes(db: Db, minutes: number[]): Promise<void> {
  if (minutes.length === 0) return;
  for (const m of minutes) {
    await forNodeRanges(db, async (lo, hi) => {
      await sql`INSERT INTO metrics_1m (node_id, ts, samples, avg_pps, max_pps, avg_bps, max_bps, avg_tcp_pct, avg_udp_pct, avg_icmp_pct, max_conn_count)
        SELECT node_id, ${m}, count(*), avg(pps), max(pps), avg(bps), max(bps), avg(tcp_pct), avg(udp_pct), avg(icmp_pct), max(conn_count)
        FROM metrics WHERE node_id IN (SELECT id FROM nodes WHERE id BETWEEN ${lo} AND ${hi}) AND ts >= ${m} AND ts < ${m + 60_000} GROUP BY node_id ORDER BY node_id
        ON CONFLICT (node_id, ts) DO UPDATE SET samples = excluded.samples, avg_pps = excluded.avg_pps, max_pps = excluded.max_pps,
          avg_bps = excluded.avg_bps, max_bps = excluded.max_bps, avg_tcp_pct = excluded.avg_tcp_pct,
          avg_udp_pct = excluded.avg_udp_pct, avg_icmp_pct = excluded.avg_icmp_pct, max_conn_count = excluded.max_conn_count`.execute(db);
    });
  }
}

/** Recomputes hourly roll-ups from the minute roll-ups (sample-weighted averages). */
export async function rollupHours(db: Db, hours: number[]): Promise<void> {
  if (hours.length === 0) return;
  for (const h of hours) {
    await forNodeRanges(db, async (lo, hi) => {
      await sql`INSERT INTO metrics_1h (node_id, ts, samples, avg_pps, max_pps, avg_bps, max_bps, avg_tcp_pct, avg_udp_pct, avg_icmp_pct, max_conn_count)
        SELECT node_id, ${h}, sum(samples), sum(avg_pps * samples) / sum(samples), max(max_pps), sum(avg_bps * samples) / sum(samples), max(max_bps),
          avg(avg_tcp_pct), avg(avg_udp_pct), avg(avg_icmp_pct), max(max_conn_count)
        FROM metrics_1m WHERE node_id IN (SELECT id FROM nodes WHERE id BETWEEN ${lo} AND ${hi}) AND ts >= ${h} AND ts < ${h + 3_600_000} GROUP BY node_id ORDER BY node_id
        ON CONFLICT (node_id, ts) DO UPDATE SET samples = excluded.samples, avg_pps = excluded.avg_pps, max_pps = excluded.max_pps,
          avg_bps = excluded.avg_bps, max_bps = excluded.max_bps, avg_tcp_pct = excluded.avg_tcp_pct,
          avg_udp_pct = excluded.avg_udp_pct, avg_icmp_pct = excluded.avg_icmp_pct, max_conn_count = excluded.max_conn_count`.execute(db);
    });
  }
}

export async function latestRollupTs(db: Db, table: RollupTable): Promise<number | null> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.max('ts').as('ts')).executeTakeFirst();
  return r?.ts == null ? null : Number(r.ts);
}

export async function deleteOlderThan(db: Db, table: 'metrics' | RollupTable, before: number): Promise<number> {
  // Through the (node_id, ts) key, node by node (the raw table has no index on ts alone), a range of nodes at a time.
  let deleted = 0;
  await forNodeRanges(db, async (lo, hi) => {
    const r = await db
      .deleteFrom(table)
      .where('node_id', 'in', (eb) => eb.selectFrom('nodes').select('id').where('id', '>=', lo).where('id', '<=', hi))
      .where('ts', '<', before)
      .executeTakeFirst();
    deleted += Number(r.numDeletedRows);
  });
  return deleted;
}

export interface SeriesPoint {
  ts: number;
  samples: number;
  pps: number;
  pps_max: number;
  bps: number;
  bps_max: number;
  tcp_pct: number | null;
  udp_pct: number | null;
  icmp_pct: number | null;
  conn_count: number | null;
}

export async function querySeries(
  db: Db,
  source: 'metrics' | RollupTable,
  nodeId: number,
  from: number,
  to: number,
  stepMs: number,
): Promise<SeriesPoint[]> {
  // Inlined: a bound JS number is a REAL in SQLite, which would turn this into float division.
  const step = sql.lit(Math.trunc(stepMs));
  const bucket = sql<number>`(ts / ${step}) * ${step}`;
  const q =
    source === 'metrics'
      ? sql<SeriesPoint>`SELECT ${bucket} AS ts, count(*) AS samples, avg(pps) AS pps, max(pps) AS pps_max, avg(bps) AS bps, max(bps) AS bps_max,
          avg(tcp_pct) AS tcp_pct, avg(udp_pct) AS udp_pct, avg(icmp_pct) AS icmp_pct, max(conn_count) AS conn_count
          FROM metrics WHERE node_id = ${nodeId} AND ts >= ${from} AND ts < ${to} GROUP BY 1 ORDER BY 1`
      : sql<SeriesPoint>`SELECT ${bucket} AS ts, sum(samples) AS samples, sum(avg_pps * samples) / sum(samples) AS pps, max(max_pps) AS pps_max,
          sum(avg_bps * samples) / sum(samples) AS bps, max(max_bps) AS bps_max, avg(avg_tcp_pct) AS tcp_pct, avg(avg_udp_pct) AS udp_pct,
          avg(avg_icmp_pct) AS icmp_pct, max(max_conn_count) AS conn_count
          FROM ${sql.table(source)} WHERE node_id = ${nodeId} AND ts >= ${from} AND ts < ${to} GROUP BY 1 ORDER BY 1`;
  const r = await q.execute(db);
  return r.rows.map((p) => ({
    ts: Number(p.ts),
    samples: Number(p.samples),
    pps: Number(p.pps),
    pps_max: Number(p.pps_max),
    bps: Number(p.bps),
    bps_max: Number(p.bps_max),
    tcp_pct: p.tcp_pct == null ? null : Number(p.tcp_pct),
    udp_pct: p.udp_pct == null ? null : Number(p.udp_pct),
    icmp_pct: p.icmp_pct == null ? null : Number(p.icmp_pct),
    conn_count: p.conn_count == null ? null : Number(p.conn_count),
  }));
}

/** Per-minute peak pps over a window: the input of the server-side baseline. */
export async function minutePeaks(db: Db, nodeId: number, since: number): Promise<{ avg: number; max: number }[]> {
  const rows = await db
    .selectFrom('metrics_1m')
    .select(['avg_pps', 'max_pps'])
    .where('node_id', '=', nodeId)
    .where('ts', '>=', since)
    .execute();
  return rows.map((r) => ({ avg: Number(r.avg_pps), max: Number(r.max_pps) }));
}

/** Per-second samples of these nodes stored after `since`, oldest first (the dashboard's live frames). */
export async function samplesSince(db: Db, nodeIds: readonly number[], since: number): Promise<Pick<MetricRow, 'node_id' | 'ts' | 'pps' | 'bps' | 'tcp_pct' | 'udp_pct' | 'icmp_pct'>[]> {
  if (nodeIds.length === 0) return [];
  return db
    .selectFrom('metrics')
    .select(['node_id', 'ts', 'pps', 'bps', 'tcp_pct', 'udp_pct', 'icmp_pct'])
    .where('ts', '>', since)
    .where('node_id', 'in', [...nodeIds])
    .orderBy('ts')
    .execute();
}

/** A workspace's live nodes' totals per second since `since`: [ts, pps, bps], oldest first. */
export async function workspaceTotalsSince(db: Db, workspaceId: string, since: number): Promise<[number, number, number][]> {
  const rows = await db
    .selectFrom('metrics')
    .innerJoin('nodes', 'nodes.id', 'metrics.node_id')
    .select((eb) => ['metrics.ts', eb.fn.sum<number>('metrics.pps').as('pps'), eb.fn.sum<number>('metrics.bps').as('bps')])
    .where('nodes.workspace_id', '=', workspaceId)
    .where('nodes.deleted_at', 'is', null)
    .where('metrics.ts', '>', since)
    .groupBy('metrics.ts')
    .orderBy('metrics.ts')
    .execute();
  return rows.map((r) => [Number(r.ts), Number(r.pps), Number(r.bps)]);
}
