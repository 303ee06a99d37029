// Kysely's SqliteDialect expects a better-sqlite3-shaped database; node:sqlite is
// close enough that a thin adapter suffices, which spares us a native addon.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SqliteDialect } from 'kysely';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer.ts';

const STATEMENT_CACHE = 500;

type Param = null | number | bigint | string | Uint8Array;

function toParams(parameters: ReadonlyArray<unknown>): Param[] {
  return parameters.map((p) => {
    if (p === undefined) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    return p as Param;
  });
}

function wrapStatement(stmt: StatementSync): SqliteStatement {
  return {
    reader: stmt.columns().length > 0,
    all: (parameters) => stmt.all(...toParams(parameters)),
    run: (parameters) => {
      const r = stmt.run(...toParams(parameters));
      return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
    },
    iterate: (parameters) => stmt.iterate(...toParams(parameters)),
  };
}

export function openSqlite(path: string): { dialect: SqliteDialect; raw: DatabaseSync } {
  const raw = new DatabaseSync(path);
  // WAL lets readers proceed during the ingest writer's transactions; NORMAL sync is
  // durable across process crashes (only an OS crash can lose the last commits).
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = NORMAL');
  raw.exec('PRAGMA foreign_keys = ON');
  raw.exec('PRAGMA busy_timeout = 5000');
  // Checkpoints run on a worker thread (sqlite-checkpointer.ts); this connection only past the fallback.
  raw.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  // Preparing is a large share of a small query's cost; hot statements repeat verbatim.
  const cache = new Map<string, SqliteStatement>();
  const database: SqliteDatabase = {
    close: () => raw.close(),
    prepare: (sql) => {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
        cache.set(sql, stmt); // most recently used last
        return stmt;
      }
      stmt = wrapStatement(raw.prepare(sql));
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
      return stmt;
    },
  };
  return { dialect: new SqliteDialect({ database }), raw };
}
