import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { DialectName } from '../dialect-name.ts';
import { createPartition, partitionStart, PARTITION_WIDTH_MS, type PartitionedTable } from '../repos/metric-partitions.ts';

// PostgreSQL: the time series become range-partitioned on ts (daily for per-second samples and
// minute roll-ups, 30 days for hourly roll-ups) with a DEFAULT partition, and every row is kept:
// each table is renamed aside, rebuilt partitioned under its old name (same columns, same
// (node_id, ts) key), given a partition for every period that holds data, filled from the old
// table, and the old one dropped — one transaction, so a failure leaves the plain tables as
// they were. Older replicas keep working across it: the tables keep their names and columns
// (their ingest waits on the migration's locks while it copies). The server's roll-up job then
// creates partitions ahead of now and drops those past retention. SQLite keeps plain tables.
const TABLES: PartitionedTable[] = ['metrics', 'metrics_1m', 'metrics_1h'];

export function metricPartitions(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      for (const table of TABLES) {
        const old = `${table}_unpartitioned`;
        await sql`ALTER TABLE ${sql.table(table)} RENAME TO ${sql.table(old)}`.execute(db);
        await sql`ALTER TABLE ${sql.table(old)} RENAME CONSTRAINT ${sql.ref(`${table}_pk`)} TO ${sql.ref(`${old}_pk`)}`.execute(db);
        if (table !== 'metrics') await sql`DROP INDEX ${sql.ref(`${table}_ts`)}`.execute(db);
        await sql`CREATE TABLE ${sql.table(table)} (LIKE ${sql.table(old)} INCLUDING DEFAULTS, CONSTRAINT ${sql.ref(`${table}_pk`)} PRIMARY KEY (node_id, ts)) PARTITION BY RANGE (ts)`.execute(db);
        // Roll-ups are read by time across nodes (the hourly roll-up, retention): an index on ts, as before.
        if (table !== 'metrics') await sql`CREATE INDEX ${sql.ref(`${table}_ts`)} ON ${sql.table(table)} (ts)`.execute(db);
        await sql`CREATE TABLE ${sql.table(`${table}_default`)} PARTITION OF ${sql.table(table)} DEFAULT`.execute(db);
        const w = PARTITION_WIDTH_MS[table];
        const periods = await sql<{ p: number | string }>`SELECT DISTINCT floor(ts / ${sql.lit(w)}::numeric) AS p FROM ${sql.table(old)}`.execute(db);
        for (const { p } of periods.rows) await createPartition(db, table, partitionStart(table, Number(p) * w));
        await sql`INSERT INTO ${sql.table(table)} SELECT * FROM ${sql.table(old)}`.execute(db);
        await sql`DROP TABLE ${sql.table(old)}`.execute(db);
      }
    },
  };
}
