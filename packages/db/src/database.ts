import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import type { DialectName } from './dialect-name.ts';
import { migrateCompatibly, withMigrationLock } from './migration-lock.ts';
import { openPostgres } from './postgres-dialect.ts';
import { sealPlaintextChannels } from './repos/channels.ts';
import { sealPlaintextAdapters } from './repos/mitigation.ts';
import { sealPlaintextIntegrations } from './repos/scrubbing.ts';
import { attachSecretBox, SecretBox } from './secret-box.ts';
import type { Schema } from './schema.ts';
import { openSqlite } from './sqlite-dialect.ts';
import { SqliteCheckpointer, type CheckpointStats } from './sqlite-checkpointer.ts';

export type Db = Kysely<Schema>;

export interface DatabaseConfig {
  /** postgres://… selects PostgreSQL; absent selects SQLite in dataDir. */
  url?: string | undefined;
  dataDir: string;
  maxConnections?: number;
  /** 256-bit key for secrets at rest (channel and adapter configs); without one they are stored as given. */
  secretKey?: Buffer | undefined;
  /** SQLite: how often the worker checkpoints the WAL (default 1000 ms). */
  checkpointIntervalMs?: number;
}

export interface Database {
  db: Db;
  dialect: DialectName;
  /** Human-readable location, safe to log (no password). */
  location: string;
  close(): Promise<void>;
  /** SQLite: what the background WAL checkpointer has done (sqlite-checkpointer.ts). */
  checkpoints?: () => CheckpointStats;
  /** SQLite: asks the worker for a checkpoint now. */
  checkpointNow?: () => void;
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  let database: Database;
  if (config.url) {
    if (!/^postgres(ql)?:\/\//.test(config.url)) {
      throw new Error(`database-url: must start with postgres:// or postgresql://, got ${JSON.stringify(config.url.slice(0, 40))}`);
    }
    const { dialect } = openPostgres(config.url, config.maxConnections ?? 10);
    const db = new Kysely<Schema>({ dialect });
    database = { db, dialect: 'postgres', location: describeUrl(config.url), close: () => db.destroy() };
  } else {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const path = join(config.dataDir, 'breakwater.db');
    // Readable by the server's user only: SQLite gives its -wal and -shm files the database
    // file's mode, so creating (or fixing) the file first covers all three.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    const { dialect } = openSqlite(path);
    const db = new Kysely<Schema>({ dialect });
    const checkpointer = new SqliteCheckpointer({ path, ...(config.checkpointIntervalMs !== undefined ? { intervalMs: config.checkpointIntervalMs } : {}) });
    checkpointer.start();
    database = {
      db, dialect: 'sqlite', location: path, checkpoints: () => checkpointer.stats(), checkpointNow: () => checkpointer.poke(),
      close: async () => {
        await checkpointer.stop();
        await db.destroy();
      },
    };
  }
  if (config.secretKey) attachSecretBox(database.db, new SecretBox(config.secretKey));
  try {
    // Once across replicas (an advisory lock on PostgreSQL); see migration-lock.ts for upgrades.
    await withMigrationLock(database.db as Kysely<unknown>, database.dialect, async () => {
      const { newer } = await migrateCompatibly(database.db as Kysely<unknown>, database.dialect);
      if (newer.length > 0) console.error(`[breakwater] the database has migrations of a newer version (${newer.join(', ')}): serving with the schema this version knows`);
      await sealPlaintextChannels(database.db);
      await sealPlaintextAdapters(database.db);
      await sealPlaintextIntegrations(database.db);
    });
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}
