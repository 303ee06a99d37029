import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLoader } from './batch-loader.ts';

test('keys asked for in one turn are loaded by one call; duplicates share it; misses are undefined', async () => {
  const calls: string[][] = [];
  const loader = new BatchLoader<number>(async (keys) => {
    calls.push(keys);
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
  });
  const got = await Promise.all(['a', 'bb', 'a', 'missing', 'ccc'].map((k) => loader.get(k)));
  assert.deepEqual(got, [1, 2, 1, undefined, 3]);
  assert.deepEqual(calls, [['a', 'bb', 'missing', 'ccc']]);
  assert.equal(await loader.get('dddd'), 4); // a later turn is a new batch
  assert.equal(calls.length, 2);
});

test('batches are split at the maximum size, and a failed load rejects only its own waiters', async () => {
  const calls: number[] = [];
  const loader = new BatchLoader<string>(async (keys) => {
    calls.push(keys.length);
    if (keys.includes('k3')) throw new Error('boom');
    return new Map(keys.map((k) => [k, k]));
  }, 3);
  const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => loader.get(`k${i}`)));
  assert.deepEqual(calls, [3, 3, 1]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
});
