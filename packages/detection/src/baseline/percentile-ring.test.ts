import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPercentileRing } from './percentile-ring.ts';

void test('nearest-rank percentile and mean over the last `capacity` samples', () => {
  const r = createPercentileRing(100, 1);
  for (let i = 1; i <= 100; i++) r.add(i);
  assert.equal(r.percentile(99), 99);
  assert.equal(r.percentile(50), 50);
  assert.equal(r.percentile(100), 100);
  assert.equal(r.mean(), 50.5);
  for (let i = 0; i < 100; i++) r.add(1000);
  assert.equal(r.percentile(1), 1000, 'old samples are gone');
  assert.equal(r.mean(), 1000);
  assert.deepEqual(r.values().length, 100);
});

void test('the cached percentile is refreshed after `staleAfter` samples', () => {
  const r = createPercentileRing(10, 5);
  r.add(1);
  assert.equal(r.percentile(99), 1);
  for (let i = 0; i < 4; i++) r.add(100);
  assert.equal(r.percentile(99), 1, 'still cached');
  r.add(100);
  assert.equal(r.percentile(99), 100);
});
