// Leases on both engines: one holder at a time, a takeover once the holder stops renewing (its
// fencing token grows), a paused holder that lost its lease refused by the fencing check, and a
// clean stop handing the lease over at once. Writes fenced by the lease's token: refused for a
// holder whose lease was taken over between its check and its write, and on PostgreSQL a takeover
// waiting for a fenced write in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cluster, openDatabase } from '@breakwater/db';
import { sql } from 'kysely';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { LeaseManager } from './leases.ts';

class Clock {
  t = 1_800_000_000_000;
  now = () => this.t;
}

for (const backend of BACKENDS) {
  test(`leases (${backend.name}): one holder, takeover after expiry with a higher token, fencing refuses the old holder`, async () => {
    const env = await backend.setup();
    const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
    const clock = new Clock();
    const errors: unknown[] = [];
    const changes: string[] = [];
    const make = (id: string) => new LeaseManager({
      db: database.db, clock, replicaId: id, ttlMs: 3000, renewMs: 1000, names: ['mitigation', 'scrubbing'],
      onError: (e) => errors.push(e), onChange: (n, held, token) => changes.push(`${id} ${held ? 'took' : 'lost'} ${n} #${token}`),
    });
    const a = make('a');
    const b = make('b');
    try {
      await a.round();
      await b.round();
      assert.deepEqual(a.held().sort(), ['mitigation', 'scrubbing']);
      assert.deepEqual(b.held(), [], 'held by a: b gets none');
      assert.equal(await a.gate('mitigation').check(), true);
      assert.equal(await b.gate('mitigation').check(), false);

      // a keeps renewing: b still gets nothing, however long it goes on.
      for (let i = 0; i < 5; i++) {
        clock.t += 1000;
        await a.round();
        await b.round();
      }
      assert.deepEqual(b.held(), []);

      // a pauses (no renewals) past its lease: b takes over, each token one higher.
      clock.t += 3001;
      await b.round();
      assert.deepEqual(b.held().sort(), ['mitigation', 'scrubbing']);
      assert.equal((await cluster.getLease(database.db, 'mitigation'))?.token, 2);
      assert.equal(b.token('mitigation'), 2);
      // a wakes up still believing it holds the lease under token 1: the fencing check says no.
      assert.equal(a.token('mitigation'), 1);
      clock.t -= 2000; // even with a's clock behind (it has not seen time pass), the database decides
      assert.equal(await a.gate('mitigation').check(), false, 'a paused holder cannot act after losing its lease');
      clock.t += 2000;
      assert.equal(await b.gate('mitigation').check(), true);
      // a's next round does not take it back from the live holder.
      await a.round();
      assert.deepEqual(a.held(), []);
      assert.ok(changes.includes('b took mitigation #2') && changes.includes('a lost mitigation #1'), changes.join(', '));

      // A clean stop hands the lease over at once: no wait for expiry.
      await b.start();
      await b.stop();
      await a.round();
      assert.deepEqual(a.held().sort(), ['mitigation', 'scrubbing']);
      assert.equal(a.token('mitigation'), 3);
      assert.deepEqual(errors, []);
    } finally {
      await database.close();
      await env.cleanup();
    }
  });
}

test('leases (postgres): two replicas racing for a free lease, many times: exactly one wins each time', async () => {
  const env = await BACKENDS.find((b) => b.name === 'postgres')!.setup();
  const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
  try {
    for (let i = 0; i < 30; i++) {
      const name = `race-${i}`;
      const got = await Promise.all(['x', 'y', 'z'].map((id) => cluster.acquireLease(database.db, name, id, 1000, 5000)));
      assert.equal(got.filter((t) => t !== null).length, 1, `one winner for ${name}: ${JSON.stringify(got)}`);
      // Expired: again exactly one takes it over, token 2.
      const again = await Promise.all(['x', 'y', 'z'].map((id) => cluster.acquireLease(database.db, name, `${id}2`, 7000, 5000)));
      assert.deepEqual(again.filter((t) => t !== null), [2]);
    }
  } finally {
    await database.close();
    await env.cleanup();
  }
});

for (const backend of BACKENDS) {
  test(`leases (${backend.name}): a write fenced by the token its check saw is refused once the lease was taken over in between; the new holder's goes through`, async () => {
    const env = await backend.setup();
    const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
    const clock = new Clock();
    const errors: unknown[] = [];
    const make = (id: string) => new LeaseManager({ db: database.db, dialect: database.dialect, clock, replicaId: id, ttlMs: 3000, renewMs: 1000, names: ['mitigation'], onError: (e) => errors.push(e) });
    const a = make('a');
    const b = make('b');
    // A row the holders write on the cluster's behalf (any table: the fence is the lease row).
    const mark = (by: string) => (trx: typeof database.db) => cluster.acquireLease(trx, `written-by-${by}`, by, clock.t, 1);
    const written = async () => (await database.db.selectFrom('cluster_leases').select('name').where('name', 'like', 'written-by-%').execute()).map((r) => r.name).sort();
    try {
      await a.round();
      const gateA = a.gate('mitigation');
      assert.equal(await gateA.check(), true);
      assert.deepEqual(await gateA.fenced(mark('a1')), { held: true, value: 1 }, 'the holder writes under its token');

      assert.equal(await gateA.check(), true, 'a checked: the lease is its own');
      // a pauses here, between its check and its write; b takes the lease over meanwhile.
      clock.t += 3001;
      await b.round();
      assert.equal(b.token('mitigation'), 2);
      assert.deepEqual(await gateA.fenced(mark('a2')), { held: false }, 'the stale holder is refused at the write');
      assert.deepEqual(a.held(), [], 'and knows it lost the lease');
      assert.deepEqual(await gateA.fenced(mark('a3')), { held: false }, 'no write without a passing check');

      const gateB = b.gate('mitigation');
      assert.equal(await gateB.check(), true);
      assert.deepEqual(await gateB.fenced(mark('b1')), { held: true, value: 1 });
      assert.deepEqual(await written(), ['written-by-a1', 'written-by-b1']);

      // A takeover of the same lease by the same replica later (token 3) does not revive an older check.
      clock.t += 3001;
      assert.equal(await gateA.check(), true, 'a takes the expired lease back');
      assert.equal(a.token('mitigation'), 3);
      assert.deepEqual(await gateB.fenced(mark('b2')), { held: false });
      assert.deepEqual(errors, []);
    } finally {
      await database.close();
      await env.cleanup();
    }
  });
}

test('leases (postgres): a takeover waits for a fenced write in flight to commit, so the new holder never acts before it', async () => {
  const env = await BACKENDS.find((b) => b.name === 'postgres')!.setup();
  const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
  const clock = new Clock();
  const make = (id: string) => new LeaseManager({ db: database.db, dialect: 'postgres', clock, replicaId: id, ttlMs: 3000, renewMs: 1000, names: ['mitigation'], onError: (e) => assert.fail(String(e)) });
  const a = make('a');
  const b = make('b');
  try {
    await a.round();
    const gate = a.gate('mitigation');
    assert.equal(await gate.check(), true);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    // a's write is inside its transaction (the lease row locked) when its lease runs out.
    const write = gate.fenced(async (trx) => {
      await cluster.acquireLease(trx, 'written-by-a', 'a', clock.t, 1);
      inside();
      await held;
    });
    await entered;
    clock.t += 3001;
    let tookOver = false;
    const takeover = b.round().then(() => (tookOver = true));
    // b's takeover is an UPDATE of the lease row: PostgreSQL makes it wait on a's lock.
    await waitFor('the takeover waiting on the lease row', async () => {
      const r = await database.db.executeQuery<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%cluster_leases%'`.compile(database.db));
      return r.rows[0]!.n >= 1;
    });
    assert.equal(tookOver, false);
    release();
    assert.deepEqual(await write, { held: true, value: undefined });
    await takeover;
    assert.equal(b.token('mitigation'), 2, 'b took it over once a committed');
    assert.equal((await cluster.getLease(database.db, 'written-by-a'))?.holder, 'a');
  } finally {
    await database.close();
    await env.cleanup();
  }
});
