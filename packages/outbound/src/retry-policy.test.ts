import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './retry-policy.ts';

const policy = { baseMs: 2_000, maxMs: 30 * 60_000 };

test('delays double from the base and stop growing at the cap', () => {
  const mid = () => 0.5;
  assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, mid)), [2_000, 4_000, 8_000, 16_000]);
  assert.equal(retryDelayMs(40, policy, mid), 30 * 60_000);
  assert.equal(retryDelayMs(0, policy, mid), 2_000, 'attempt 0 counts as the first');
});

test('jitter spreads the delay by ±20 % by default, and can be turned off', () => {
  assert.equal(retryDelayMs(1, policy, () => 0), 1_600);
  assert.equal(retryDelayMs(1, policy, () => 0.999_999), 2_400);
  assert.equal(retryDelayMs(3, { ...policy, jitter: 0 }, () => 0), 8_000);
});

test('factor 1 is a constant delay', () => {
  const constant = { baseMs: 1_000, maxMs: 1_000, factor: 1, jitter: 0 };
  assert.deepEqual([1, 5, 50].map((a) => retryDelayMs(a, constant)), [1_000, 1_000, 1_000]);
});
