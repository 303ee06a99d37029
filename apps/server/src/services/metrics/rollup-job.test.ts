import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { metrics, type Database } from '@breakwater/db';
import { resolveConfig } from '../../config.ts';
import { oneNodeDatabase } from './one-node-db.ts';
import { MetricsIngest } from './ingest.ts';
import { RollupJob } from './rollup-job.ts';

let database: Database;
let dir: string;
let nodeId: number;
let close: () => Promise<void>;
before(async () => {
  ({ database, dir, nodeId, close } = await oneNodeDatabase());
});
after(() => close());

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
