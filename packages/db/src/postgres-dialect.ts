import pg from 'pg';
import { PostgresDialect } from 'kysely';

// Timestamps are stored as bigint milliseconds; every bigint we store fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export function openPostgres(
  url: string,
  maxConnections = 10,
  onIdleError: (err: Error) => void = (err) => console.error('[breakwater] PostgreSQL connection lost:', err.message),
): { dialect: PostgresDialect; pool: pg.Pool } {
  // Idle connections are kept a minute (pg's default is 10 s): a new backend costs a fork and
  // its catalog caches (the partitioned metrics tables' descriptors) on its first queries, and
  // paying that again after every short lull put 100+ ms on the requests that hit it.
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, idleTimeoutMillis: 60_000 });
  // An idle client whose server went away (restart, failover, admin termination) emits
  // 'error' on the pool; unhandled, that would take the whole process down. The pool
  // drops the client and the next query opens a fresh connection.
  pool.on('error', onIdleError);
  return { dialect: new PostgresDialect({ pool }), pool };
}
