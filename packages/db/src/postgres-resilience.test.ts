import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '@breakwater/testing';
import { openDatabase } from './database.ts';

test('PostgreSQL: idle connections killed by the server do not crash the process; the next query reconnects', async () => {
  const { url, drop } = await createTestDatabase();
  const database = await openDatabase({ url, dataDir: '/nonexistent' });
  try {
    await sql`SELECT 1`.execute(database.db); // leaves an idle client in the pool
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await admin.end();
    assert.ok(killed.rowCount! >= 1);
    // give the pool the chance to notice; an unhandled 'error' would fail this test file
    await new Promise((r) => setImmediate(r));
    const r = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
    assert.equal(r.rows[0]!.one, 1);
  } finally {
    await database.close();
    await drop();
  }
});
