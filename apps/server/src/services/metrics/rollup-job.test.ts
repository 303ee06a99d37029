import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { metrics, nodes, openDatabase, workspaces, type Database } from '@breakwater/db';
import { resolveConfig } from '../../config.ts';
import { MetricsIngest } from './ingest.ts';
import { RollupJob } from './rollup-job.ts';

let database: Database;
let dir: string;
let nodeId: number;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bw-rollup-'));
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

const minuteOf = (t: number) => t - (t % 60_000);
const rows = (minute: number, n: number) => Array.from({ length: n }, (_, i) => ({ node_id: nodeId, ts: minute + i * 1000, pps: 10, bps: 80, tcp_pct: null, udp_pct: null, icmp_pct: null, conn_count: null }));

test('while it holds the flushes, a roll-up redoes only what retention is about to delete; the current minute waits for the next run', async () => {
  const config = resolveConfig({ dataDir: dir, retention: { rawHours: 1 } });
  const ingest = new MetricsIngest({ db: database.db, dialect: database.dialect, flushMs: 0, onError: (e) => assert.fail(String(e)) });
  const now = Date.now();
  const current = minuteOf(now);
  const belowFloor = minuteOf(now - 3_600_000) - 60_000;
  // Samples land between the roll-up's first pass and the raising of the floors: one minute that
  // retention deletes in this run, and the current minute.
  const raise = ingest.raiseFloors.bind(ingest);
  ingest.raiseFloors = async (rawFloor, minuteFloor, after) => {
    assert.ok(belowFloor < rawFloor && current >= rawFloor);
    await metrics.insertMetrics(database.db, [...rows(belowFloor, 30), ...rows(current, 5)], database.dialect);
    ingest.dirtyMinutes.add(belowFloor);
    ingest.dirtyMinutes.add(current);
    return raise(rawFloor, minuteFloor, after);
  };
  const job = new RollupJob({ db: database.db, clock: { now: () => now }, config, ingest, onError: (e) => assert.fail(String(e)) });
  await job.runOnce();
  const rolled = await database.db.selectFrom('metrics_1m').select(['ts', 'samples']).where('node_id', '=', nodeId).orderBy('ts').execute();
  assert.deepEqual(rolled.map((r) => [Number(r.ts), Number(r.samples)]), [[belowFloor, 30]], 'the minute below the floor was rolled up before its raw rows went; the current one not yet');
  const raw = await database.db.selectFrom('metrics').select('ts').where('node_id', '=', nodeId).execute();
  assert.equal(raw.length, 5, 'raw rows below the floor deleted, the current minute kept');
  assert.ok(ingest.dirtyMinutes.has(current), 'the current minute stays dirty for the next run');
  await job.runOnce();
  const again = await database.db.selectFrom('metrics_1m').select(['ts', 'samples']).where('node_id', '=', nodeId).where('ts', '=', current).execute();
  assert.deepEqual(again.map((r) => Number(r.samples)), [5], 'rolled up by the next run');
});
