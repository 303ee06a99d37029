// PostgreSQL time partitions: migration 015 turns plain time-series tables holding rows into
// partitioned ones with every row kept; maintenance (on an injected "now", here 40 days ahead
// of the real one) creates partitions back to the retention floor and ahead of now, moves rows
// the DEFAULT partition caught into the partition made over them, drops partitions past
// retention; two replicas maintaining at once do not collide.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { postgresBackend } from '@breakwater/testing';
import { openDatabase, type Database } from './database.ts';
import { migrateTo } from './migrator.ts';
import { openPostgres } from './postgres-dialect.ts';
import * as metrics from './repos/metrics.ts';
import { listPartitions, maintainPartitions, partitionName, partitionStart, type PartitionedTable, type PartitionPlan } from './repos/metric-partitions.ts';

const H = 3_600_000;
const DAY = 24 * H;
// "now" from the test's clock: 40 days past the real one, so nothing depends on today's date.
const NOW = Date.now() + 40 * DAY;

const plans = (now: number, rawHours = 48, minuteDays = 30, hourDays = 400): Record<PartitionedTable, PartitionPlan> => ({
  metrics: { now, keepFrom: now - rawHours * H },
  metrics_1m: { now, keepFrom: now - minuteDays * DAY },
  metrics_1h: { now, keepFrom: now - hourDays * DAY },
});

async function rowsIn(db: Kysely<any>, table: string): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]!.n);
}

describe('metric partitions on postgres', () => {
  let database: Database;
  let cleanup: () => Promise<void>;
  const samples = [NOW - 30 * H, NOW - 2 * DAY - 3 * H, NOW - 5 * DAY].map((ts, i) => ({ node_id: 1, ts, pps: 10 + i, bps: 80, tcp_pct: null, udp_pct: null, icmp_pct: null, conn_count: null }));

  before(async () => {
    const env = await postgresBackend.setup();
    cleanup = env.cleanup;
    // A database as the previous version left it: plain tables, with rows in them.
    const { dialect } = openPostgres(env.databaseUrl!, 2);
    const early = new Kysely<unknown>({ dialect });
    await migrateTo(early, 'postgres', '014-cluster');
    const plain = early as unknown as Database['db'];
    await metrics.insertMetrics(plain, samples, 'postgres');
    await metrics.mergeIntoRollup(plain, 'metrics_1m', [{ node_id: 1, ts: NOW - 10 * DAY, samples: 60, avg_pps: 5, max_pps: 9, avg_bps: 40, max_bps: 72, avg_tcp_pct: null, avg_udp_pct: null, avg_icmp_pct: null, max_conn_count: null }], 'postgres');
    await metrics.mergeIntoRollup(plain, 'metrics_1h', [{ node_id: 1, ts: NOW - 200 * DAY, samples: 3600, avg_pps: 7, max_pps: 11, avg_bps: 56, max_bps: 88, avg_tcp_pct: 1, avg_udp_pct: 2, avg_icmp_pct: 3, max_conn_count: 4 }], 'postgres');
    await early.destroy();
    database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
  });
  after(async () => {
    await database.close();
    await cleanup();
  });

  test('migration 015: partitioned, every row kept where it was, the key still refuses duplicates', async () => {
    const db = database.db;
    const kinds = await sql<{ relname: string }>`SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1`.execute(db);
    assert.deepEqual(kinds.rows.map((r) => r.relname), ['metrics', 'metrics_1h', 'metrics_1m']);
    assert.equal(await rowsIn(db, 'metrics'), 3);
    for (const s of samples) assert.equal(await rowsIn(db, partitionName('metrics', partitionStart('metrics', s.ts))), 1, 'each row in the partition of its day');
    assert.equal(await rowsIn(db, 'metrics_default'), 0);
    const hourly = await metrics.querySeries(db, 'metrics_1h', 1, NOW - 201 * DAY, NOW, H);
    assert.deepEqual(hourly.map((p) => [p.samples, p.pps, p.conn_count]), [[3600, 7, 4]]);
    assert.equal((await metrics.querySeries(db, 'metrics_1m', 1, NOW - 11 * DAY, NOW, 60_000))[0]?.pps_max, 9);
    // Resending stored samples adds nothing: ON CONFLICT works through the partitioned key.
    await metrics.insertMetrics(db, samples, 'postgres');
    assert.equal(await rowsIn(db, 'metrics'), 3);
    const old = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_class WHERE relname LIKE '%_unpartitioned'`.execute(db);
    assert.equal(Number(old.rows[0]!.n), 0, 'the old tables are gone');
  });

  test('maintenance: partitions from the retention floor to ahead of now, strays moved out of DEFAULT, old ones dropped', async () => {
    const db = database.db;
    // A sample three days ahead lands in DEFAULT (no partition yet: two days are made ahead)…
    const stray = { node_id: 1, ts: NOW + 3 * DAY + 5000, pps: 1, bps: 8, tcp_pct: null, udp_pct: null, icmp_pct: null, conn_count: null };
    const first = await maintainPartitions(db, plans(NOW));
    await metrics.insertMetrics(db, [stray], 'postgres');
    assert.equal(await rowsIn(db, 'metrics_default'), 1);
    const raw = (await listPartitions(db, 'metrics')).map((p) => p.start);
    assert.ok(raw.includes(partitionStart('metrics', NOW)) && raw.includes(partitionStart('metrics', NOW + 2 * DAY)), 'today and two days ahead');
    assert.ok(first.dropped.includes(partitionName('metrics', partitionStart('metrics', NOW - 5 * DAY))), 'a raw day past 48 h retention dropped');
    // Whole partitions only: a day that straddles the floor stays (the roll-up job deletes its old rows).
    const inKeptDays = samples.filter((x) => partitionStart('metrics', x.ts) + DAY > NOW - 48 * H).length;
    assert.equal(await rowsIn(db, 'metrics'), inKeptDays + 1, 'the dropped day with its row; the rows of kept days stay');
    const hourly = await listPartitions(db, 'metrics_1h');
    assert.ok(hourly[0]!.start <= NOW - 400 * DAY + 30 * DAY && hourly.at(-1)!.start >= partitionStart('metrics_1h', NOW), 'hourly partitions span the 400 days');

    // …a day later its partition is made ahead, and the row moves out of DEFAULT into it.
    const next = await maintainPartitions(db, plans(NOW + DAY));
    assert.ok(next.created.includes(partitionName('metrics', partitionStart('metrics', stray.ts))));
    assert.equal(await rowsIn(db, 'metrics_default'), 0);
    assert.equal(await rowsIn(db, partitionName('metrics', partitionStart('metrics', stray.ts))), 1);

    // Retention is per resolution: 1 hour of raw samples keeps only today's partition and later ones.
    await maintainPartitions(db, plans(NOW + DAY, 1));
    const kept = (await listPartitions(db, 'metrics')).map((p) => p.start);
    assert.equal(kept[0], partitionStart('metrics', NOW + DAY - H));
    assert.equal(await rowsIn(db, 'metrics'), 1, 'only the row dated ahead is left');
  });

  test('two replicas maintaining at once: no error, one set of partitions', async () => {
    const at = NOW + 10 * DAY;
    const both = await Promise.all([maintainPartitions(database.db, plans(at)), maintainPartitions(database.db, plans(at))]);
    const made = both.flatMap((r) => r.created);
    assert.equal(new Set(made).size, made.length, 'each partition made by one of them');
    assert.equal((await maintainPartitions(database.db, plans(at))).created.length, 0, 'idempotent');
  });
});
