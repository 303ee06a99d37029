import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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

/** The estimate from the registers themselves, one pass: what the kept sum must always equal. */
function fromRegisters(precision: number, hashes: number[]): number {
  const m = 1 << precision;
  const reg = new Uint8Array(m);
  for (const h of hashes) {
    const idx = h >>> (32 - precision);
    reg[idx] = Math.max(reg[idx]!, Math.clz32((h << precision) | (1 << (precision - 1))) + 1);
  }
  let sum = 0;
  let zeros = 0;
  for (const r of reg) {
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
  return raw <= 2.5 * m && zeros > 0 ? Math.round(m * Math.log(m / zeros)) : Math.round(raw);
}

void test('the running sum gives exactly the one-pass estimate, across resets', () => {
  fc.assert(fc.property(fc.integer({ min: 4, max: 16 }), fc.array(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 3000, size: 'max' }), { minLength: 1, maxLength: 3 }), (p, rounds) => {
    const hll = new HyperLogLog(p);
    for (const hashes of rounds) {
      hll.reset();
      for (const h of hashes) hll.add(h >>> 0);
      assert.equal(hll.estimate(), fromRegisters(p, hashes));
    }
  }), { numRuns: 60 });
});
