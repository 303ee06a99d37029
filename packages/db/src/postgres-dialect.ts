import pg from 'pg';
import { PostgresDialect } from 'kysely';

// Timestamps are stored as bigint milliseconds; every bigint we store fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export function openPostgres(url: string, maxConnections = 10): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  return { dialect: new PostgresDialect({ pool }), pool };
}
