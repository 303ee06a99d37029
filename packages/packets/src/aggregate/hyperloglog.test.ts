import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashKey } from './address-key.ts';
import { HyperLogLog } from './hyperloglog.ts';

void test('distinct estimates stay within 5 % from tens to hundreds of thousands, duplicates ignored', () => {
  const hll = new HyperLogLog(12);
  for (const n of [1, 10, 100, 1000, 20_000, 300_000]) {
    hll.reset();
    for (let rep = 0; rep < 2; rep++) for (let i = 0; i < n; i++) hll.add(hashKey(0, 0, 0xffff, (0x0a000000 + i) >>> 0));
    const est = hll.estimate();
    assert.ok(Math.abs(est - n) <= Math.max(1, n * 0.05), `n=${n} est=${est}`);
  }
  hll.reset();
  assert.equal(hll.estimate(), 0);
});

void test('precision is validated', () => {
  assert.throws(() => new HyperLogLog(2), RangeError);
});
