import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatKey, hashKey } from './address-key.ts';
import { SpaceSaving } from './space-saving.ts';

function keyOf(n: number): [number, number, number, number] {
  // Mix IPv4-mapped and IPv6 keys; high bits set to catch signed/unsigned slips.
  return n % 3 === 0 ? [0, 0, 0xffff, (0xc0000000 + n) >>> 0] : [0x20010db8, n * 7919, 0x80000000 | n, n];
}

void test('Space-Saving guarantees: no underestimate, bounded overestimate, every heavy key kept', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 3000 }), (capacity, stream) => {
      const ss = new SpaceSaving(capacity);
      const exact = new Map<string, number>();
      for (const n of stream) {
        const [a, b, c, d] = keyOf(n);
        ss.add(a, b, c, d, hashKey(a, b, c, d), 100);
        const k = formatKey(a, b, c, d);
        exact.set(k, (exact.get(k) ?? 0) + 1);
      }
      const top = ss.top(capacity);
      assert.equal(top.length, Math.min(capacity, exact.size));
      assert.equal(ss.size, top.length);
      // The counters always sum to the stream length.
      assert.equal(top.reduce((s, e) => s + e.packets, 0), stream.length);
      const reported = new Map(top.map((e) => [e.key, e]));
      assert.equal(reported.size, top.length, 'no key twice');
      for (const e of top) {
        const truth = exact.get(e.key) ?? 0;
        assert.ok(e.packets >= truth && e.packets - e.error <= truth, `${e.key}: ${e.packets}-${e.error} vs ${truth}`);
      }
      for (const [k, truth] of exact) {
        if (truth > stream.length / capacity) assert.ok(reported.has(k), `heavy key ${k} (${truth}) lost`);
      }
    }),
    { numRuns: 200 },
  );
});

void test('top() orders by packets and formats IPv4 and IPv6 keys; reset empties it', () => {
  const ss = new SpaceSaving(8);
  const add = (k: [number, number, number, number], times: number): void => {
    for (let i = 0; i < times; i++) ss.add(...k, hashKey(...k), 60);
  };
  add([0, 0, 0xffff, 0x0a000001], 5);
  add([0x20010db8, 0, 0, 1], 9);
  assert.deepEqual(ss.top(10), [
    { key: '2001:db8::1', packets: 9, bytes: 540, error: 0 },
    { key: '10.0.0.1', packets: 5, bytes: 300, error: 0 },
  ]);
  ss.reset();
  assert.deepEqual(ss.top(10), []);
  add([0, 0, 0xffff, 1], 1);
  assert.equal(ss.top(1)[0]!.key, '0.0.0.1');
});
