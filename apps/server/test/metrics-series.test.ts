// Time series: group-committed ingest, roll-ups, retention, chart queries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';

for (const backend of BACKENDS) {
  describe(`metrics time series on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('concurrent agents: every sample acknowledged is stored', async () => {
      const nodes = await Promise.all(Array.from({ length: 20 }, (_, i) => t.deploy(t.admin, `c${i}`)));
      const now = t.clock.now();
      const start = now - (now % 60_000) - 5 * 60_000; // from "now", inside raw retention
      const posts = [];
      for (let s = 0; s < 10; s++) {
        for (const n of nodes) posts.push(t.agent(n, 'POST', '/metrics', { pps: s, bps: s * 8, recorded_at: new Date(start + s * 1000).toISOString() }));
      }
      const replies = await Promise.all(posts);
      assert.ok(replies.every((r) => r.status === 200));
      for (const n of nodes) {
        const q = await t.request('GET', `/api/v1/nodes/${n.uuid}/metrics?from=${start}&to=${start + 10_000}&step=1`);
        assert.deepEqual(q.body.data.points.map((p: any) => p.pps), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
    });

    test('roll-ups serve coarse steps; retention drops raw samples but keeps roll-ups', async () => {
      const n = await t.deploy(t.admin, 'rolled');
      const now = t.clock.now();
      const hour = now - (now % 3_600_000) - 3_600_000; // the previous whole hour
      const batch = Array.from({ length: 180 }, (_, i) => ({ pps: i, bps: i * 10, udp_pct: 50, recorded_at: new Date(hour + i * 1000).toISOString() }));
      assert.equal((await t.agent(n, 'POST', '/metrics', batch)).status, 200);
      await t.server.rollup.runOnce();
      const m = await t.request('GET', `/api/v1/nodes/${n.uuid}/metrics?from=${hour}&to=${hour + 180_000}&step=60`);
      assert.equal(m.body.data.resolution, '1m');
      assert.deepEqual(m.body.data.points.map((p: any) => [p.pps, p.pps_max, p.samples]), [[29.5, 59, 60], [89.5, 119, 60], [149.5, 179, 60]]);
      const h = await t.request('GET', `/api/v1/nodes/${n.uuid}/metrics?from=${hour}&to=${hour + 3_600_000}&step=3600`);
      assert.equal(h.body.data.resolution, '1h');
      assert.deepEqual(h.body.data.points.map((p: any) => [p.pps, p.pps_max, p.samples, p.udp_pct]), [[89.5, 179, 180, 50]]);
      // two days later the raw samples are gone, the minute roll-ups remain
      t.clock.advance(49 * 3_600_000);
      await t.server.rollup.runOnce();
      const raw = await t.request('GET', `/api/v1/nodes/${n.uuid}/metrics?from=${hour}&to=${hour + 180_000}&step=1`);
      assert.equal(raw.body.data.resolution, '1m'); // raw retention passed: served from roll-ups
      const kept = await t.request('GET', `/api/v1/nodes/${n.uuid}/metrics?from=${hour}&to=${hour + 180_000}&step=60`);
      assert.equal(kept.body.data.points.length, 3);
      t.clock.advance(-49 * 3_600_000);
    });

    test('server-side baseline when the agent reports none', async () => {
      const n = await t.deploy(t.admin, 'baseline');
      const now = t.clock.now();
      const start = now - (now % 60_000) - 10 * 60_000;
      const batch = Array.from({ length: 600 }, (_, i) => ({ pps: 100 + (i % 60), bps: 1, recorded_at: new Date(start + i * 1000).toISOString() }));
      await t.agent(n, 'POST', '/metrics', batch);
      await t.server.rollup.runOnce();
      const d = (await t.request('GET', `/api/v1/nodes/${n.uuid}`)).body.data;
      assert.equal(d.baseline.source, 'server');
      assert.equal(d.baseline.p99_pps, 159);
      assert.equal(d.baseline.mean_pps, 129.5);
    });
  });
}
