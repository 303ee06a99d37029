// Time series on PostgreSQL are partitioned by time (native declarative range partitions on
// ts): retention drops whole partitions instead of deleting rows, and each day's inserts touch
// one small index. Partitions are created ahead of "now" (the caller's clock) and back to the
// retention floor, so late samples merged into roll-ups find theirs; a DEFAULT partition
// catches anything outside them (a clock jump), and its rows move into the partition created
// over them later. SQLite keeps plain tables.
import { sql, type Kysely } from 'kysely';

export type PartitionedTable = 'metrics' | 'metrics_1m' | 'metrics_1h';

const DAY = 86_400_000;

/** Width of one partition of each table: a day of per-second samples or minute roll-ups, 30 days of hourly ones. */
export const PARTITION_WIDTH_MS: Record<PartitionedTable, number> = { metrics: DAY, metrics_1m: DAY, metrics_1h: 30 * DAY };

/** How far ahead of now partitions exist (a sample may be up to 5 minutes ahead of the server's clock). */
export const PARTITION_AHEAD_MS: Record<PartitionedTable, number> = { metrics: 2 * DAY, metrics_1m: 2 * DAY, metrics_1h: 30 * DAY };

/** The advisory lock that serialises partition changes across replicas ("bwpart" in ASCII). */
export const PARTITION_LOCK_KEY = 0x627770617274;

export function partitionStart(table: PartitionedTable, ts: number): number {
  const w = PARTITION_WIDTH_MS[table];
  return Math.floor(ts / w) * w;
}

/** `metrics_p20261207`: the table and the UTC day its range starts. */
export function partitionName(table: PartitionedTable, start: number): string {
  return `${table}_p${new Date(start).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function startOfName(table: PartitionedTable, name: string): number | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** Whether `table` is partitioned here (after migration 015 on PostgreSQL). */
export async function isPartitioned(db: Kysely<any>, table: PartitionedTable): Promise<boolean> { // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations pass Kysely<unknown>
  const r = await sql<{ n: number | string }>`SELECT count(*) AS n FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid
    WHERE c.relname = ${table} AND c.relnamespace = current_schema()::regnamespace`.execute(db);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

/** Range partitions of `table` (not the default one), oldest first, with their start. */
export async function listPartitions(db: Kysely<any>, table: PartitionedTable): Promise<{ name: string; start: number }[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations pass Kysely<unknown>
  const r = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = ${table} AND p.relnamespace = current_schema()::regnamespace`.execute(db);
  const out: { name: string; start: number }[] = [];
  for (const { name } of r.rows) {
    const start = startOfName(table, name);
    if (start !== null) out.push({ name, start });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * Creates the partition of `table` starting at `start` unless it exists. Rows the DEFAULT
 * partition holds in its range are moved into it first (PostgreSQL refuses a new partition
 * over rows the default holds). Call under the partition lock, in a transaction.
 */
export async function createPartition(db: Kysely<any>, table: PartitionedTable, start: number): Promise<boolean> { // eslint-disable-line @typescript-eslint/no-explicit-any -- migrations pass Kysely<unknown>
  const name = partitionName(table, start);
  const end = start + PARTITION_WIDTH_MS[table];
  const exists = await sql<{ n: number | string }>`SELECT count(*) AS n FROM pg_class WHERE relname = ${name} AND relnamespace = current_schema()::regnamespace`.execute(db);
  if (Number(exists.rows[0]?.n ?? 0) > 0) return false;
  const t = sql.table(table);
  const p = sql.table(name);
  const d = sql.table(`${table}_default`);
  const stray = await sql<{ one: number }>`SELECT 1 AS one FROM ${d} WHERE ts >= ${start} AND ts < ${end} LIMIT 1`.execute(db);
  if (stray.rows.length === 0) {
    await sql`CREATE TABLE ${p} PARTITION OF ${t} FOR VALUES FROM (${sql.lit(start)}) TO (${sql.lit(end)})`.execute(db);
  } else {
    await sql`CREATE TABLE ${p} (LIKE ${t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(db);
    await sql`WITH moved AS (DELETE FROM ${d} WHERE ts >= ${start} AND ts < ${end} RETURNING *) INSERT INTO ${p} SELECT * FROM moved`.execute(db);
    await sql`ALTER TABLE ${t} ATTACH PARTITION ${p} FOR VALUES FROM (${sql.lit(start)}) TO (${sql.lit(end)})`.execute(db);
  }
  return true;
}

export interface PartitionPlan {
  /** Rows older than this may go: partitions wholly before it are dropped. */
  keepFrom: number;
  now: number;
}

/**
 * Partitions of each table from its retention floor to ahead of `now`, and those wholly before
 * the floor dropped. Serialised across replicas by an advisory lock held for one transaction.
 * Returns what was created and dropped.
 */
export async function maintainPartitions(db: Kysely<any>, plans: Record<PartitionedTable, PartitionPlan>): Promise<{ created: string[]; dropped: string[] }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- callers hold Kysely<Schema>
  const created: string[] = [];
  const dropped: string[] = [];
  await db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`.execute(tx);
    for (const table of Object.keys(plans) as PartitionedTable[]) {
      if (!(await isPartitioned(tx, table))) continue;
      const { keepFrom, now } = plans[table];
      const w = PARTITION_WIDTH_MS[table];
      for (let s = partitionStart(table, keepFrom); s <= partitionStart(table, now + PARTITION_AHEAD_MS[table]); s += w) {
        if (await createPartition(tx, table, s)) created.push(partitionName(table, s));
      }
      for (const p of await listPartitions(tx, table)) {
        if (p.start + w > keepFrom) break;
        await sql`DROP TABLE ${sql.table(p.name)}`.execute(tx);
        dropped.push(p.name);
      }
    }
  });
  return { created, dropped };
}
