// The bus contract on both implementations, and what only the PostgreSQL bus has to survive: a
// lost LISTEN connection (the catch-up), no NOTIFY at all (the polling fallback), ids that commit
// out of order, and the 100 ms budget from a publish on one replica to a subscriber on another.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { cluster, openDatabase, type Database } from '@breakwater/db';
import { createTestDatabase, waitFor } from '@breakwater/testing';
import { busContract } from './bus.contract.ts';
import { LocalBus } from './local-bus.ts';
import { PgBus } from './pg-bus.ts';

const clock = { now: () => Date.now() };
let url = '';
let drop: () => Promise<void> = async () => {};
let database: Database;
const errors: unknown[] = [];

before(async () => {
  ({ url, drop } = await createTestDatabase());
  database = await openDatabase({ url, dataDir: '/nonexistent' });
});
after(async () => {
  await database.close();
  await drop();
});

function pgBus(id: string, pollMs = 1000): PgBus {
  return new PgBus({ db: database.db, url, clock, replicaId: id, pollMs, retentionMs: 600_000, onError: (e) => errors.push(e) });
}

busContract('local', async () => {
  const bus = new LocalBus('single');
  await bus.start();
  return { a: bus, b: bus, close: () => bus.stop() };
});

busContract('postgres', async () => {
  const a = pgBus(`a-${Math.random()}`);
  const b = pgBus(`b-${Math.random()}`);
  await a.start();
  await b.start();
  return { a, b, close: async () => { await a.stop(); await b.stop(); } };
});

test('postgres bus: a publish on one replica reaches a subscriber on another within 100 ms (NOTIFY, not polling)', async () => {
  const a = pgBus('lat-a', 60_000);
  const b = pgBus('lat-b', 60_000);
  await a.start();
  await b.start();
  try {
    const sent = new Map<number, number>();
    const took: number[] = [];
    b.subscribe('command.queued', (p) => took.push(performance.now() - sent.get(p.command_id)!));
    for (let i = 0; i < 50; i++) {
      sent.set(i, performance.now());
      await a.publish('command.queued', { node_id: 1, command_id: i });
      await waitFor('delivery', () => took.length === i + 1, 2000, 1);
    }
    took.sort((x, y) => x - y);
    const p98 = took[48]!;
    console.log(`bus latency across replicas over ${took.length}: median ${took[25]!.toFixed(1)} ms, p98 ${p98.toFixed(1)} ms, max ${took.at(-1)!.toFixed(1)} ms`);
    // All but one within budget: on a 2-core machine shared with other test runs one scheduling
    // hiccup is allowed; the median shows what NOTIFY costs.
    assert.ok(p98 < 100, `49 of 50 deliveries within 100 ms (p98 ${p98.toFixed(1)} ms, max ${took.at(-1)!.toFixed(1)} ms)`);
    assert.ok(took[25]! < 20, `median under 20 ms (${took[25]!.toFixed(1)} ms)`);
  } finally {
    await a.stop();
    await b.stop();
  }
});

test('postgres bus: events published while the LISTEN connection was down arrive after it reconnects (catch-up), once', async () => {
  const a = pgBus('cu-a', 60_000);
  const b = pgBus('cu-b', 60_000); // no polling in this test's time: only NOTIFY or the catch-up can deliver
  await a.start();
  await b.start();
  const heard: number[] = [];
  b.subscribe('command.queued', (p) => heard.push(p.command_id));
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await a.publish('command.queued', { node_id: 1, command_id: 1 });
    await waitFor('the first event', () => heard.length === 1);
    const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`);
    assert.ok(killed.rowCount! >= 2, 'both listeners were cut off');
    await waitFor('b to notice it is not listening', () => !b.healthy, 5000, 5);
    for (let i = 2; i <= 6; i++) await a.publish('command.queued', { node_id: 1, command_id: i }); // no one listens: NOTIFY is lost
    await waitFor('the catch-up after the reconnect', () => heard.length >= 6, 5000);
    await waitFor('b listening again', () => b.healthy, 5000);
    assert.deepEqual(heard, [1, 2, 3, 4, 5, 6]);
  } finally {
    await admin.end();
    await a.stop();
    await b.stop();
  }
});

test('postgres bus: without any NOTIFY, polling delivers; an id that commits after a higher one is still delivered, once', async () => {
  const b = pgBus('poll-b', 100);
  await b.start();
  const heard: number[] = [];
  b.subscribe('command.queued', (p) => heard.push(p.command_id));
  const slow = new pg.Client({ connectionString: url });
  await slow.connect();
  try {
    // Stored without a NOTIFY (the hint lost): the poll finds it.
    await cluster.appendEvent(database.db, 'sqlite', { topic: 'command.queued', origin: 'elsewhere', payload: JSON.stringify({ node_id: 1, command_id: 1 }), created_at: clock.now() });
    await waitFor('the polled event', () => heard.length === 1, 3000);
    // A transaction takes id n and commits late; id n+1 commits first.
    await slow.query('begin');
    await slow.query(`insert into cluster_events (topic, origin, payload, created_at) values ('command.queued', 'elsewhere', '{"node_id":1,"command_id":2}', $1)`, [clock.now()]);
    await cluster.appendEvent(database.db, 'postgres', { topic: 'command.queued', origin: 'elsewhere', payload: JSON.stringify({ node_id: 1, command_id: 3 }), created_at: clock.now() });
    await waitFor('the later id', () => heard.includes(3), 3000);
    await slow.query('commit');
    await waitFor('the id that committed late', () => heard.includes(2), 3000);
    await new Promise((r) => setTimeout(r, 300)); // three more polls: nothing comes twice
    assert.deepEqual(heard, [1, 3, 2]);
  } finally {
    await slow.end();
    await b.stop();
  }
});
