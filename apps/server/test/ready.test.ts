// GET /api/v1/ready on both engines: 200 with what this replica has (database, bus, leases) when
// it is ready; 503 with the error envelope naming what is missing when it is not. Health is
// untouched by it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer } from './harness.ts';

for (const backend of BACKENDS) {
  test(`ready (${backend.name}): 200 while the replica has its database, bus and leases; 503 naming the bus once it stops listening`, async () => {
    const t = await startTestServer(backend);
    try {
      const ok = await t.request('GET', '/api/v1/ready', { token: null });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.ok, true);
      const d = ok.body.data;
      assert.equal(d.ready, true);
      assert.equal(d.database.ok, true);
      assert.equal(d.bus.kind, backend.name === 'postgres' ? 'postgres' : 'local');
      assert.equal(d.leases.ok, true);
      assert.deepEqual([...d.leases.held].sort(), ['mitigation', 'scrubbing'], 'the only replica holds every lease');
      assert.equal(typeof d.replica_id, 'string');

      // Health keeps the reference's shape: nothing of the cluster in it.
      const health = await t.request('GET', '/api/v1/health', { token: null });
      assert.deepEqual(Object.keys(health.body.data).sort(), ['database', 'status', 'time', 'uptime_seconds', 'version']);

      // The bus (PostgreSQL) or the lease round (both) stops: not ready, said with the envelope.
      if (backend.name === 'postgres') await t.server.ctx.cluster.bus.stop();
      else await t.server.ctx.cluster.leases.stop();
      const down = await t.request('GET', '/api/v1/ready', { token: null });
      assert.equal(down.status, 503);
      assert.equal(errorCode(down), 'not_ready');
      assert.match(down.body.error.message, backend.name === 'postgres' ? /the postgres bus is not listening/ : /lease round/);
      assert.match(down.body.error.message, new RegExp(d.replica_id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      // Health still says ok: the database answers.
      assert.equal((await t.request('GET', '/api/v1/health', { token: null })).status, 200);
    } finally {
      await t.stop();
    }
  });
}
