import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { openDatabase, type Database } from './database.ts';
import * as metrics from './repos/metrics.ts';
import * as nodes from './repos/nodes.ts';
import * as workspaces from './repos/workspaces.ts';

for (const backend of BACKENDS) {
  describe(`storage on ${backend.name}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let nodeId: number;

    before(async () => {
      const env = await backend.setup();
      cleanup = env.cleanup;
      database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
      await workspaces.insertWorkspace(database.db, {
        id: 'ws1', name: 'w', plan: 'self-hosted', node_quota: 10, rate_limit_per_min: 1000, settings: '{}', created_at: 1,
      });
      nodeId = await nodes.insertNode(database.db, {
        uuid: 'u1', workspace_id: 'ws1', name: 'n1', ip: '192.0.2.1', location: null, os: null, interface: 'eth0',
        priority: 'production', api_key_digest: 'd1', agent_version: null, pps_threshold: null, bps_threshold: null,
        baseline_p99_pps: 100, baseline_mean_pps: 50, last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null,
        last_udp_pct: null, last_icmp_pct: null, last_conn_count: null, last_metrics_at: null, uptime_seconds: null,
        agent_info: '{}', tags: '[]', created_at: 1, updated_at: 1, deleted_at: null,
      });
    });
    after(async () => {
      await database.close();
      await cleanup();
    });

    test('migrations are idempotent: opening again applies nothing and keeps rows', async () => {
      assert.equal(await workspaces.countWorkspaces(database.db), 1);
    });

    test('metrics insert is idempotent per (node, second) and rolls up by minute and hour', async () => {
      const base = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
      const rows = Array.from({ length: 120 }, (_, i) => ({
        node_id: nodeId, ts: base + i * 1000, pps: i, bps: i * 8, tcp_pct: 10, udp_pct: 90, icmp_pct: 0, conn_count: i,
      }));
      await metrics.insertMetrics(database.db, rows, database.dialect);
      await metrics.insertMetrics(database.db, rows.slice(0, 10), database.dialect); // a retried batch
      await metrics.rollupMinutes(database.db, [base, base + 60_000]);
      await metrics.rollupHours(database.db, [base]);
      const raw = await metrics.querySeries(database.db, 'metrics', nodeId, base, base + 120_000, 60_000);
      assert.deepEqual(raw.map((p) => [p.samples, p.pps, p.pps_max]), [[60, 29.5, 59], [60, 89.5, 119]]);
      const minute = await metrics.querySeries(database.db, 'metrics_1m', nodeId, base, base + 120_000, 60_000);
      assert.deepEqual(minute.map((p) => [p.samples, p.pps, p.pps_max]), [[60, 29.5, 59], [60, 89.5, 119]]);
      const hour = await metrics.querySeries(database.db, 'metrics_1h', nodeId, base, base + 3_600_000, 3_600_000);
      assert.deepEqual(hour.map((p) => [p.samples, p.pps, p.pps_max, p.conn_count]), [[120, 59.5, 119, 119]]);
      assert.equal(await metrics.deleteOlderThan(database.db, 'metrics', base + 60_000), 60);
    });

    test('roll-ups and retention reach every node, however far apart their ids (they go a range of ids at a time)', async () => {
      const far = await nodes.insertNode(database.db, {
        uuid: 'u-far', workspace_id: 'ws1', name: 'far', ip: '192.0.2.2', location: null, os: null, interface: 'eth0',
        priority: 'production', api_key_digest: 'd-far', agent_version: null, pps_threshold: null, bps_threshold: null,
        baseline_p99_pps: null, baseline_mean_pps: null, last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null,
        last_udp_pct: null, last_icmp_pct: null, last_conn_count: null, last_metrics_at: null, uptime_seconds: null,
        agent_info: '{}', tags: '[]', created_at: 1, updated_at: 1, deleted_at: null,
      });
      // Three ranges of ids away from the first node.
      const farId = nodeId + 1234;
      await database.db.updateTable('nodes').set({ id: farId }).where('id', '=', far).execute();
      const base = 1_600_000_000_000 - (1_600_000_000_000 % 3_600_000);
      const rows = [nodeId, farId].flatMap((id) => Array.from({ length: 60 }, (_, i) => ({
        node_id: id, ts: base + i * 1000, pps: id === nodeId ? 10 : 20, bps: 8, tcp_pct: null, udp_pct: null, icmp_pct: null, conn_count: null,
      })));
      await metrics.insertMetrics(database.db, rows, database.dialect);
      await metrics.rollupMinutes(database.db, [base]);
      await metrics.rollupHours(database.db, [base]);
      for (const [id, pps] of [[nodeId, 10], [farId, 20]] as const) {
        const minute = await metrics.querySeries(database.db, 'metrics_1m', id, base, base + 60_000, 60_000);
        assert.deepEqual(minute.map((p) => [p.samples, p.pps]), [[60, pps]], `node ${id}: minute`);
        const hour = await metrics.querySeries(database.db, 'metrics_1h', id, base, base + 3_600_000, 3_600_000);
        assert.deepEqual(hour.map((p) => [p.samples, p.pps]), [[60, pps]], `node ${id}: hour`);
      }
      assert.equal(await metrics.deleteOlderThan(database.db, 'metrics', base + 30_000), 60, '30 s of each node');
      assert.equal(await metrics.deleteOlderThan(database.db, 'metrics_1m', base + 60_000), 2);
      await database.db.deleteFrom('metrics').where('node_id', '=', farId).execute();
      await database.db.deleteFrom('metrics_1h').where('node_id', '=', farId).execute();
      await database.db.deleteFrom('nodes').where('id', '=', farId).execute();
    });

    test('roll-ups and retention step over node ids in ranges sized to take a few ms each, covering every id once', async () => {
      const far = nodeId + 1500;
      await nodes.insertNode(database.db, {
        uuid: 'u-ranges', workspace_id: 'ws1', name: 'ranges', ip: '192.0.2.3', location: null, os: null, interface: 'eth0',
        priority: 'production', api_key_digest: 'd-ranges', agent_version: null, pps_threshold: null, bps_threshold: null,
        baseline_p99_pps: null, baseline_mean_pps: null, last_seen_at: null, last_pps: null, last_bps: null, last_tcp_pct: null,
        last_udp_pct: null, last_icmp_pct: null, last_conn_count: null, last_metrics_at: null, uptime_seconds: null,
        agent_info: '{}', tags: '[]', created_at: 1, updated_at: 1, deleted_at: null,
      });
      await database.db.updateTable('nodes').set({ id: far }).where('uuid', '=', 'u-ranges').execute();
      const seen: [number, number][] = [];
      // A step that costs 0.1 ms per node id in the range: the target (8 ms) is ~80 ids.
      await metrics.forNodeRanges(database.db, async (lo, hi) => {
        seen.push([lo, hi]);
        const until = performance.now() + (hi - lo + 1) * 0.1;
        while (performance.now() < until) { /* the step's work */ }
      });
      assert.equal(seen[0]![0], nodeId);
      assert.equal(seen.at(-1)![1], far);
      for (let i = 1; i < seen.length; i++) assert.equal(seen[i]![0], seen[i - 1]![1] + 1, 'contiguous, no id twice');
      const late = seen.slice(3).map(([lo, hi]) => hi - lo + 1);
      assert.ok(late.every((n) => n <= 320), `ranges shrank toward ~80 ids: ${late.join(' ')}`);
      await database.db.deleteFrom('nodes').where('id', '=', far).execute();
    });

    test('latest samples update live values only forward in time, and status derives from them', async () => {
      const at = 2_000_000_000_000;
      const sample = { nodeId, ts: at, seenAt: at, pps: 500, bps: 4000, tcpPct: 1, udpPct: 99, icmpPct: 0, connCount: 3 };
      await metrics.applyLatestSamples(database.db, [sample], database.dialect);
      await metrics.applyLatestSamples(database.db, [{ ...sample, ts: at - 5000, pps: 1 }], database.dialect); // late sample: ignored
      const n = await nodes.getNodeById(database.db, 'ws1', nodeId, at - 90_000);
      assert.equal(n?.last_pps, 500);
      assert.equal(n?.status, 'elevated'); // 500 > p99 baseline of 100
      const stale = await nodes.getNodeById(database.db, 'ws1', nodeId, at + 1);
      assert.equal(stale?.status, 'offline');
      const list = await nodes.listNodes(database.db, 'ws1', { limit: 10, offset: 0, status: 'elevated', offlineBefore: at - 90_000 });
      assert.equal(list.total, 1);
      const none = await nodes.listNodes(database.db, 'ws1', { limit: 10, offset: 0, status: 'online', offlineBefore: at - 90_000 });
      assert.equal(none.total, 0);
    });

    if (backend.name === 'postgres') test('postgres: a flush in one statement stores the samples (nulls included, a retry adds nothing) and moves live values forward only', async () => {
      const at = 2_100_000_000_000;
      const rows = Array.from({ length: 37 }, (_, i) => ({
        node_id: nodeId, ts: at + i * 1000, pps: i, bps: 9_000_000_000_000 + i, tcp_pct: i % 2 ? null : 12.5, udp_pct: 87.5, icmp_pct: null, conn_count: i % 3 ? null : i,
      }));
      const latest = { nodeId, ts: at + 36_000, seenAt: at + 36_500, pps: 36, bps: 9_000_000_000_036, tcpPct: 12.5, udpPct: 87.5, icmpPct: null, connCount: null };
      await metrics.storeFreshSamples(database.db, rows, [latest]);
      await metrics.storeFreshSamples(database.db, rows.slice(0, 5), [{ ...latest, ts: at, pps: 0 }]); // a retried, older batch
      const stored = await database.db.selectFrom('metrics').selectAll().where('node_id', '=', nodeId).where('ts', '>=', at).orderBy('ts').execute();
      assert.deepEqual(stored.map((r) => [Number(r.ts) - at, Number(r.pps), Number(r.bps), r.tcp_pct, r.icmp_pct, r.conn_count === null ? null : Number(r.conn_count)]),
        rows.map((r) => [r.ts - at, r.pps, r.bps, r.tcp_pct, r.icmp_pct, r.conn_count]));
      const n = await nodes.getNodeById(database.db, 'ws1', nodeId, at);
      assert.equal(n?.last_pps, 36);
      assert.equal(n?.last_metrics_at, at + 36_000);
      await database.db.deleteFrom('metrics').where('node_id', '=', nodeId).where('ts', '>=', at).execute();
    });
  });
}
