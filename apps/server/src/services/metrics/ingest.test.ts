import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodes, openDatabase, workspaces, type Database } from '@breakwater/db';
import { MetricsIngest, type IngestObservation } from './ingest.ts';

let database: Database;
let dir: string;
let nodeId: number;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bw-ingest-'));
  database = await openDatabase({ dataDir: dir });
  await workspaces.insertWorkspace(database.db, { id: 'ws', name: 'w', plan: 'self-hosted', node_quota: 10, rate_limit_per_min: 1000, settings: '{}', created_at: 1 });
  nodeId = await nodes.insertNode(database.db, {
    uuid: 'u', workspace_id: 'ws', name: 'n', ip: '192.0.2.1', location: null, os: null, interface: 'eth0', priority: 'production',
    api_key_digest: 'd', agent_version: null, pps_threshold: null, bps_threshold: null, baseline_p99_pps: null, baseline_mean_pps: null,
    last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null, last_udp_pct: null, last_icmp_pct: null, last_conn_count: null,
    last_metrics_at: null, uptime_seconds: null, agent_info: '{}', tags: '[]', created_at: 1, updated_at: 1, deleted_at: null,
  });
});
after(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

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
