// Migrations under a lock, and a database newer than this code.
//
// Several replicas may start at once against one PostgreSQL: one takes a session advisory lock,
// migrates and seals secrets; the others wait on the lock and then find nothing left to do.
// (Kysely's migrator also locks inside its transaction; the session lock here spans the
// sealing steps too, which run outside it.)
//
// Rolling upgrades: a newer replica migrates while older ones keep serving. That is safe because
// migrations are additive (new tables, new nullable or defaulted columns, new indexes) — a running
// older replica never names what it does not know. An older replica that restarts afterwards
// finds migrations it does not know: it serves on (they are a newer version's additions) when
// every migration it knows has been applied, and refuses to start when one of its own is missing.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from './dialect-name.ts';
import { MIGRATION_NAMES, migrateToLatest } from './migrator.ts';

/** The advisory lock's key: any constant shared by every replica ("bwmigr" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x62776d696772;

/** Runs fn while holding the migration lock (PostgreSQL); SQLite has one process, fn runs as is. */
export async function withMigrationLock<T>(db: Kysely<unknown>, dialect: DialectName, fn: () => Promise<T>): Promise<T> {
  if (dialect !== 'postgres') return fn();
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}

async function appliedMigrations(db: Kysely<unknown>): Promise<string[] | null> {
  try {
    const r = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    return r.rows.map((x) => x.name);
  } catch {
    return null; // a fresh database: no migration table yet
  }
}

export interface MigrationOutcome {
  /** Migrations this start applied. */
  applied: string[];
  /** Migrations of a newer version found in the database (this replica serves on without them). */
  newer: string[];
}

/**
 * Migrates to this version's latest, or — when the database already has a newer version's
 * migrations on top of all of ours — leaves it as it is. `known` is for tests.
 */
export async function migrateCompatibly(db: Kysely<unknown>, dialect: DialectName, known: readonly string[] = MIGRATION_NAMES): Promise<MigrationOutcome> {
  const applied = await appliedMigrations(db);
  const newer = (applied ?? []).filter((n) => !known.includes(n));
  if (newer.length > 0) {
    const missing = known.filter((n) => !applied!.includes(n));
    if (missing.length > 0) {
      throw new Error(`database migrations: the database has ${newer.join(', ')} from a newer version but lacks ${missing.join(', ')} of this one; upgrade this server`);
    }
    return { applied: [], newer };
  }
  return { applied: await migrateToLatest(db, dialect), newer: [] };
}
