// Samples an agent sends late (back from a long outage, from its spool) are stored at the
// resolution retention still keeps, or refused with a reason — never acknowledged and dropped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

for (const backend of BACKENDS) {
  describe(`late and out-of-range samples on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      await t.server.rollup.runOnce(); // the floors follow the (test) clock from here
    });
    after(async () => t.stop());

    const series = async (uuid: string, from: number, to: number, step: number) =>
      (await t.request('GET', `/api/v1/nodes/${uuid}/metrics?from=${from}&to=${to}&step=${step}`)).body.data;

    test('older than raw retention: merged into the existing minute roll-up (sums, max, weighted averages); a resend adds nothing', async () => {
      const n = await t.deploy(t.admin, 'late-minute');
      const now = t.clock.now();
      const minute = now - (now % MIN) - 10 * MIN;
      // In time: four samples of one minute, rolled up.
      const first = [10, 20, 30, 40].map((pps, i) => ({ pps, bps: pps * 8, tcp_pct: 50, recorded_at: new Date(minute + i * 1000).toISOString() }));
      assert.equal((await t.agent(n, 'POST', '/metrics', first)).status, 200);
      await t.server.rollup.runOnce();
      // Three days on, raw samples are gone; the agent's spool still has two of that minute.
      t.clock.advance(3 * DAY);
      try {
        await t.server.rollup.runOnce();
        assert.equal((await series(n.uuid, minute, minute + MIN, 1)).resolution, '1m');
        const late = [{ pps: 100, bps: 800, tcp_pct: 80, recorded_at: new Date(minute + 30_000).toISOString() }, { pps: 0, bps: 0, tcp_pct: 50, recorded_at: new Date(minute + 31_000).toISOString() }];
        const r = await t.agent(n, 'POST', '/metrics', late);
        assert.equal(r.status, 200);
        assert.equal(r.body.data.accepted, 2);
        assert.equal(r.body.data.refused, undefined);
        const expect = [[(10 + 20 + 30 + 40 + 100 + 0) / 6, 100, 6]];
        let d = await series(n.uuid, minute, minute + MIN, 60);
        assert.deepEqual(d.points.map((p: any) => [p.pps, p.pps_max, p.samples]), expect);
        assert.equal(d.points[0].tcp_pct, (50 * 4 + 80 + 50) / 6);
        // The reply was lost and the agent resends: nothing is counted twice, even after a roll-up.
        assert.equal((await t.agent(n, 'POST', '/metrics', late)).status, 200);
        await t.server.rollup.runOnce();
        d = await series(n.uuid, minute, minute + MIN, 60);
        assert.deepEqual(d.points.map((p: any) => [p.pps, p.pps_max, p.samples]), expect);
        // and the hour roll-up follows the merged minutes
        const hour = minute - (minute % HOUR);
        const h = await series(n.uuid, hour, hour + HOUR, 3600);
        assert.equal(h.points[0].samples, 6);
        assert.equal(h.points[0].pps_max, 100);
      } finally {
        t.clock.advance(-3 * DAY);
      }
    });

    test('older than minute retention: merged into the hourly roll-up', async () => {
      const n = await t.deploy(t.admin, 'late-hour');
      const now = t.clock.now();
      const hour = now - (now % HOUR) - 60 * DAY;
      const batch = [5, 15].map((pps, i) => ({ pps, bps: 1, recorded_at: new Date(hour + i * MIN).toISOString() }));
      const r = await t.agent(n, 'POST', '/metrics', batch);
      assert.equal(r.status, 200);
      assert.equal(r.body.data.accepted, 2);
      await t.server.rollup.runOnce();
      const d = await series(n.uuid, hour, hour + HOUR, 3600);
      assert.equal(d.resolution, '1h');
      assert.deepEqual(d.points.map((p: any) => [p.pps, p.pps_max, p.samples]), [[10, 15, 2]]);
    });

    test('year 1, year 5138, older than every retention or ahead of the clock: refused with the reason', async () => {
      const n = await t.deploy(t.admin, 'out-of-range');
      for (const recorded_at of ['0001-01-01T00:00:00Z', '5138-11-16T09:46:40Z', new Date(t.clock.now() - 401 * DAY).toISOString(), new Date(t.clock.now() + 10 * MIN).toISOString()]) {
        const r = await t.agent(n, 'POST', '/metrics', { pps: 1, bps: 1, recorded_at });
        assert.equal(r.status, 400, recorded_at);
        assert.equal(errorCode(r), 'sample_out_of_range');
        assert.match(r.body.error.message, /^recorded_at: 1 sample (older than every retention|more than 300 s ahead)/);
      }
      // A mixed batch keeps what it can and says what it refused.
      const now = t.clock.now();
      const mixed = [
        { pps: 7, bps: 1, recorded_at: new Date(now - 2000).toISOString() },
        { pps: 8, bps: 1, recorded_at: '5138-11-16T09:46:40Z' },
        { pps: 9, bps: 1, recorded_at: '0001-01-01T00:00:00Z' },
        { pps: 9, bps: 1, recorded_at: '0001-01-01T00:00:01Z' },
      ];
      const r = await t.agent(n, 'POST', '/metrics', mixed);
      assert.equal(r.status, 200);
      assert.equal(r.body.data.accepted, 1);
      assert.equal(r.body.data.refused, 3);
      assert.deepEqual(r.body.data.refusals.map((x: any) => [x.reason, x.count]).sort(), [['in_the_future', 1], ['older_than_retention', 2]]);
      // Nothing dated in year 1 or 5138 was stored at any resolution.
      await t.server.rollup.runOnce();
      for (const table of ['metrics', 'metrics_1m', 'metrics_1h'] as const) {
        const rows = await t.server.ctx.db.selectFrom(table).select('ts').where('ts', '<', now - 500 * DAY).execute();
        const future = await t.server.ctx.db.selectFrom(table).select('ts').where('ts', '>', now + 365 * DAY).execute();
        assert.equal(rows.length + future.length, 0, table);
      }
      // A small clock skew ahead is fine.
      assert.equal((await t.agent(n, 'POST', '/metrics', { pps: 1, bps: 1, recorded_at: new Date(now + 60_000).toISOString() })).status, 200);
    });
  });
}
