// An incident's unknown fields are kept, within bounds: updates cannot grow a row without limit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { EXTRA_TOTAL_MAX, mergeExtras } from '../src/services/incidents/incident-extras.ts';
import { startTestServer, type TestServer } from './harness.ts';

test('mergeExtras: last writer wins per key, big values replaced by a marker, newest keys kept first under the cap', () => {
  assert.deepEqual(mergeExtras({ a: 1, b: 2 }, { b: 3, c: 4 }), { b: 3, c: 4, a: 1 });
  assert.deepEqual(mergeExtras({}, { blob: 'x'.repeat(20_000) }), { blob: { _omitted: 'too large', bytes: 20_002 } });
  const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'y'.repeat(10_000)]));
  const merged = mergeExtras({ old: 'kept?' }, many);
  assert.ok(Buffer.byteLength(JSON.stringify(merged)) <= EXTRA_TOTAL_MAX);
  assert.equal(merged.k0, 'y'.repeat(10_000)); // the update's own keys come first
  assert.equal(merged.old, 'kept?'); // an older key that still fits stays
  const kept = Object.keys(merged).filter((k) => k.startsWith('k')).length;
  assert.ok(kept > 0 && kept < 20);
  assert.equal(merged._dropped_keys, 20 - kept);
});

for (const backend of BACKENDS) {
  describe(`incident extra fields on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('three 400 KB updates with new keys each: the stored row stays bounded, the newest values win', async () => {
      const n = await t.deploy(t.admin);
      const open = await t.agent(n, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 10, note: 'first' });
      const uuid = open.body.uuid;
      for (let i = 0; i < 3; i++) {
        const big = Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`u${i}_${j}`, 'z'.repeat(10_000)]));
        const r = await t.agent(n, 'POST', `/incidents/${uuid}`, { ...big, note: `update ${i}`, [`huge${i}`]: 'h'.repeat(400_000) });
        assert.equal(r.status, 200);
      }
      const row = await t.server.ctx.db.selectFrom('incidents').select('extra').where('uuid', '=', uuid).executeTakeFirstOrThrow();
      assert.ok(row.extra.length <= EXTRA_TOTAL_MAX, `extra is ${row.extra.length} bytes`);
      const d = (await t.request('GET', `/api/v1/incidents/${uuid}`)).body.data;
      assert.equal(d.details.note, 'update 2');
      assert.deepEqual(d.details.huge2, { _omitted: 'too large', bytes: 400_002 });
      assert.ok(d.details._dropped_keys > 0);
    });
  });
}
