// The WAL is checkpointed by a worker thread, not by the connection that serves requests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { waitFor } from '@breakwater/testing';
import { openDatabase } from './database.ts';
import { FALLBACK_AUTOCHECKPOINT_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.ts';

test('SQLite: a worker checkpoints the WAL while the server\'s connection writes; the connection itself only past the fallback', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-ckpt-'));
  // The worker's timer far off: it checkpoints when asked, after the writes.
  const database = await openDatabase({ dataDir: dir, checkpointIntervalMs: 600_000 });
  try {
    const auto = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(database.db);
    assert.equal(Number(auto.rows[0]!.wal_autocheckpoint), FALLBACK_AUTOCHECKPOINT_PAGES);
    await sql`CREATE TABLE ckpt_test (id INTEGER PRIMARY KEY, v TEXT)`.execute(database.db);
    // ~2,000 pages of WAL: past SQLite's own 1000-page checkpoint, which this connection no longer runs.
    for (let t = 0; t < 20; t++) {
      await database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 100; i++) await sql`INSERT INTO ckpt_test (v) VALUES (${'x'.repeat(4000)})`.execute(tx);
      });
    }
    const wal = statSync(join(dir, 'breakwater.db-wal')).size;
    assert.ok(wal > 1000 * 4096, `the WAL grew past 1000 pages: ${wal} bytes`);
    assert.equal(database.checkpoints!().runs, 0);
    database.checkpointNow!();
    const stats = await waitFor('the worker caught the WAL up', () => {
      const s = database.checkpoints!();
      return s.runs > 0 && s.logFrames > 1000 && s.checkpointed === s.logFrames ? s : undefined;
    }, 10_000, 50);
    assert.equal(stats.error, null);
    // Everything is in the database file: a new connection sees it after the WAL is gone.
    await database.close();
    const again = await openDatabase({ dataDir: dir });
    const n = await sql<{ n: number }>`SELECT count(*) AS n FROM ckpt_test`.execute(again.db);
    assert.equal(Number(n.rows[0]!.n), 2000);
    await again.close();
  } finally {
    await database.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the checkpointer refuses a bad interval naming it, and stops cleanly even when never started', async () => {
  assert.throws(() => new SqliteCheckpointer({ path: '/nonexistent', intervalMs: 0 }), /intervalMs: must be an integer from 10 to 600000, got 0/);
  await new SqliteCheckpointer({ path: '/nonexistent' }).stop();
});
