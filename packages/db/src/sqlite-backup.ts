// Backup and restore of the embedded SQLite database. The backup goes through SQLite's online
// backup API, so it is consistent while the server runs and writes; the restore checks that the
// file is a whole Breakwater database this version can open before anything is replaced, and
// replaces the database in one rename, keeping the one it replaces beside it.
import { backup, DatabaseSync } from 'node:sqlite';
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MIGRATION_NAMES } from './migrator.ts';

export const SQLITE_FILE = 'breakwater.db';

export class BackupError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
  /** Pages copied by the backup API. */
  pages: number;
  /** The newest migration the copy holds. */
  migration: string;
}

/** What a database file holds, or why it is not a Breakwater database this version can open. */
export function inspectSqlite(path: string): { migration: string } {
  if (!existsSync(path)) throw new BackupError(`${path}: no such file`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (err) {
    throw new BackupError(`${path}: not an SQLite database (${(err as Error).message})`);
  }
  try {
    let check: string;
    try {
      check = String((db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>)?.integrity_check);
    } catch (err) {
      throw new BackupError(`${path}: not an SQLite database (${(err as Error).message})`);
    }
    if (check !== 'ok') throw new BackupError(`${path}: the integrity check failed: ${check.slice(0, 200)}`);
    const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'`).get();
    if (!table) throw new BackupError(`${path}: not a Breakwater database (it has no migration table)`);
    const names = (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name);
    const unknown = names.filter((n) => !MIGRATION_NAMES.includes(n));
    if (unknown.length > 0) throw new BackupError(`${path}: made by a newer Breakwater (migrations ${unknown.join(', ')} are unknown to this version): restore it with that version or newer`);
    if (names.length === 0) throw new BackupError(`${path}: an empty Breakwater database (no migration has run)`);
    return { migration: names.at(-1)! };
  } finally {
    db.close();
  }
}

/** A consistent copy of DATA_DIR/breakwater.db into `out` (mode 0600), safe while the server runs. */
export async function backupSqlite(dataDir: string, out: string): Promise<BackupResult> {
  const source = join(resolve(dataDir), SQLITE_FILE);
  if (!existsSync(source)) throw new BackupError(`--data-dir: no database at ${source}`);
  const target = resolve(out);
  if (existsSync(target)) throw new BackupError(`--out: ${target} exists; choose a new file (a backup never overwrites)`);
  if (!existsSync(dirname(target))) throw new BackupError(`--out: the directory ${dirname(target)} does not exist`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new DatabaseSync(source);
  let pages: number;
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    pages = await backup(db, partial, { rate: 1000 });
  } catch (err) {
    rmSync(partial, { force: true });
    throw new BackupError(`backup of ${source} failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  chmodSync(partial, 0o600);
  // The copy is checked before it is given its name: a file at `out` is always a whole backup.
  const { migration } = inspectSqlite(partial);
  renameSync(partial, target);
  return { file: target, bytes: statSync(target).size, pages, migration };
}

export interface RestoreResult {
  file: string;
  migration: string;
  /** Where the database it replaced was kept, if there was one. */
  previous: string | null;
}

/**
 * Puts a backup in place of DATA_DIR/breakwater.db. The server must be stopped (the README says
 * so); an existing database is kept as breakwater.db.before-restore-<time> and is only replaced
 * with `force`.
 */
export function restoreSqlite(dataDir: string, from: string, opts: { force?: boolean; now?: Date } = {}): RestoreResult {
  const source = resolve(from);
  const { migration } = inspectSqlite(source);
  const dir = resolve(dataDir);
  if (!existsSync(dir)) throw new BackupError(`--data-dir: ${dir} does not exist`);
  const target = join(dir, SQLITE_FILE);
  let previous: string | null = null;
  if (existsSync(target)) {
    if (!opts.force) throw new BackupError(`--data-dir: ${target} exists; stop the server and add --force to replace it (it is kept beside it)`);
    previous = `${target}.before-restore-${(opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
  }
  const staged = `${target}.restoring`;
  copyFileSync(source, staged);
  chmodSync(staged, 0o600);
  if (previous) {
    renameSync(target, previous);
    // The old database's write-ahead log belongs to it, never to the restored file.
    for (const ext of ['-wal', '-shm']) if (existsSync(`${target}${ext}`)) renameSync(`${target}${ext}`, `${previous}${ext}`);
  }
  renameSync(staged, target);
  return { file: target, migration, previous };
}
