// Agent links across replicas on a real PostgreSQL: a link on one replica is seen from another,
// the latest connection wins, a closed socket unlinks only its own replica's link, a replica that
// stops refreshing its row (died) holds nothing once its row is older than the alive window, and
// a clean stop removes its links at once. On one process (not shared) nothing is written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '@breakwater/db';
import { BACKENDS } from '@breakwater/testing';
import { LinkRegistry } from './link-registry.ts';

class Clock {
  t = 1_800_000_000_000;
  now = () => this.t;
}

for (const backend of BACKENDS) {
  test(`agent links (${backend.name})`, async () => {
    const env = await backend.setup();
    const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
    const shared = backend.name === 'postgres';
    const errors: unknown[] = [];
    const clocks = { a: new Clock(), b: new Clock() };
    const make = (id: 'a' | 'b') => new LinkRegistry({ db: database.db, clock: clocks[id], replicaId: id, shared, beatMs: 60_000, aliveMs: 3000, onError: (e) => errors.push(e) });
    const a = make('a');
    const b = make('b');
    try {
      await a.start();
      await b.start();
      a.attached(7);
      await waitWrites();
      if (!shared) {
        assert.equal(await b.elsewhere(7), false, 'one process: the local sockets say all');
        assert.equal(await database.db.selectFrom('agent_links').select('node_id').execute().then((r) => r.length), 0);
        return;
      }
      assert.equal(await b.elsewhere(7), true, 'b sees the agent linked on a');
      assert.equal(await a.elsewhere(7), false, 'not "elsewhere" for the replica holding it');

      // The agent reconnects to b before a noticed its old socket close: b's link wins, a's close leaves it.
      b.attached(7);
      await waitWrites();
      a.detached(7);
      await waitWrites();
      assert.equal(await a.elsewhere(7), true, 'a sees it on b');

      // b dies without a word: its row ages past the alive window as seen from a.
      clocks.a.t += 3001;
      assert.equal(await a.elsewhere(7), false, 'a dead replica holds no links');
      clocks.a.t -= 3001;

      // A clean stop removes b's links at once.
      await b.stop();
      assert.equal(await a.elsewhere(7), false);
      assert.equal(errors.length, 0, String(errors[0]));
    } finally {
      await a.stop();
      await b.stop().catch(() => undefined);
      await database.close();
      await env.cleanup();
    }

    // The writes are fire-and-forget from socket events; stop() awaits them, so does this.
    async function waitWrites(): Promise<void> {
      for (const r of [a, b]) await r.flush();
    }
  });
}
