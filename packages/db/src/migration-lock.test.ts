// Migrations once across replicas, and an older replica that meets a newer database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, waitFor } from '@breakwater/testing';
import { openDatabase } from './database.ts';
import { MIGRATION_NAMES } from './migrator.ts';
import { migrateCompatibly, withMigrationLock } from './migration-lock.ts';

test('postgres: four replicas starting at once on an empty database migrate it once, all start', async () => {
  const { url, drop } = await createTestDatabase();
  try {
    const opened = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url, dataDir: '/nonexistent' })));
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened[0]!.db);
    assert.deepEqual(rows.rows.map((r) => r.name), [...MIGRATION_NAMES]);
    await Promise.all(opened.map((d) => d.close()));
  } finally {
    await drop();
  }
});

test('postgres: the migration lock is held across the whole step: a second holder waits for the first', async () => {
  const { url, drop } = await createTestDatabase();
  const database = await openDatabase({ url, dataDir: '/nonexistent' });
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const first = withMigrationLock(database.db as Kysely<unknown>, 'postgres', async () => {
      order.push('first in');
      await held;
      order.push('first out');
    });
    await waitFor('the first to hold the lock', () => order.length === 1);
    const second = withMigrationLock(database.db as Kysely<unknown>, 'postgres', async () => {
      order.push('second in');
    });
    // The second replica is queued on the advisory lock in PostgreSQL, not running.
    await waitFor('a waiter on the advisory lock', async () => (await other.query(`select 1 from pg_locks where locktype = 'advisory' and not granted`)).rowCount === 1);
    assert.deepEqual(order, ['first in']);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
  } finally {
    await other.end();
    await database.close();
    await drop();
  }
});

test('postgres: an older replica meeting a newer version\'s migrations serves on; one missing its own migration refuses to start, naming it', async () => {
  const { url, drop } = await createTestDatabase();
  const database = await openDatabase({ url, dataDir: '/nonexistent' });
  try {
    const db = database.db as Kysely<unknown>;
    // A newer replica has migrated "999-future" (additive) — this version does not know it.
    await sql`insert into kysely_migration (name, timestamp) values ('999-future', ${new Date().toISOString()})`.execute(db);
    const older = await openDatabase({ url, dataDir: '/nonexistent' });
    await older.close();
    assert.deepEqual(await migrateCompatibly(db, 'postgres'), { applied: [], newer: ['999-future'] });
    // A version that knows a migration the database lacks, while the database has a newer one: refused.
    await assert.rejects(
      () => migrateCompatibly(db, 'postgres', [...MIGRATION_NAMES, '500-only-here']),
      /has 999-future from a newer version but lacks 500-only-here/,
    );
  } finally {
    await database.close();
    await drop();
  }
});
