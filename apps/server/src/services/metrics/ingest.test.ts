import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '@breakwater/db';
import { oneNodeDatabase } from './one-node-db.ts';
import { MetricsIngest, type IngestObservation } from './ingest.ts';

let database: Database;
let nodeId: number;
let close: () => Promise<void>;
before(async () => {
  ({ database, nodeId, close } = await oneNodeDatabase());
});
after(() => close());

test('flushes start flushMs apart: the first sample waits for nothing, those arriving meanwhile share the next flush', async () => {
  const flushes: { at: number; o: IngestObservation }[] = [];
  const ingest = new MetricsIngest({ db: database.db, dialect: database.dialect, flushMs: 200, onError: (e) => assert.fail(String(e)), observe: (o) => flushes.push({ at: performance.now(), o }) });
  const now = Date.now();
  const sample = (i: number) => {
    const ts = now - (now % 1000) - 100_000 + i * 1000;
    return ingest.submit([{ node_id: nodeId, ts, pps: i, bps: i, tcp_pct: null, udp_pct: null, icmp_pct: null, conn_count: null }],
      { nodeId, ts, seenAt: ts, pps: i, bps: i, tcpPct: null, udpPct: null, icmpPct: null, connCount: null });
  };
  const t0 = performance.now();
  await sample(0);
  const first = performance.now() - t0;
  assert.ok(first < 150, `the first sample was committed after ${first.toFixed(0)} ms: it should not wait for the spacing`);
  const t1 = performance.now();
  await Promise.all([sample(1), sample(2), sample(3)]);
  const rest = performance.now() - t1;
  assert.equal(flushes.length, 2, 'the three samples that came during the spacing went in one flush');
  assert.equal(flushes[1]!.o.rows, 3);
  assert.ok(flushes[1]!.at - flushes[0]!.at >= 190, `flushes ${(flushes[1]!.at - flushes[0]!.at).toFixed(0)} ms apart`);
  assert.ok(rest >= 150, `the later samples waited ${rest.toFixed(0)} ms`);
  const stored = await database.db.selectFrom('metrics').select('pps').where('node_id', '=', nodeId).orderBy('ts').execute();
  assert.deepEqual(stored.map((r) => Number(r.pps)), [0, 1, 2, 3]);
  await ingest.stop();
});

test('flushMs 0: back to back, as soon as the previous flush ends', async () => {
  let n = 0;
  const ingest = new MetricsIngest({ db: database.db, dialect: database.dialect, flushMs: 0, onError: (e) => assert.fail(String(e)), observe: () => n++ });
  const ts = Date.now() - 200_000;
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) {
    await ingest.submit([{ node_id: nodeId, ts: ts + i * 1000, pps: 1, bps: 1, tcp_pct: null, udp_pct: null, icmp_pct: null, conn_count: null }],
      { nodeId, ts: ts + i * 1000, seenAt: ts, pps: 1, bps: 1, tcpPct: null, udpPct: null, icmpPct: null, connCount: null });
  }
  assert.equal(n, 3);
  assert.ok(performance.now() - t0 < 900, 'three sequential samples, not spaced (a spacing would make it 2 s)');
  await ingest.stop();
});
