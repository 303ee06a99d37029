import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from './ttl-cache.ts';

test('entries set together expire spread over the last quarter of the TTL, never after it', () => {
  const c = new TtlCache<number>(1000, 10_000);
  for (let i = 0; i < 1000; i++) c.set(String(i), i, 0);
  const alive = (t: number) => Array.from({ length: 1000 }, (_, i) => c.get(String(i), t)).filter((v) => v !== undefined).length;
  assert.equal(alive(749), 1000, 'none expires before three quarters of the TTL');
  const mid = alive(875);
  assert.ok(mid > 300 && mid < 700, `about half are gone half-way through the spread (${mid} left)`);
  assert.equal(alive(1000), 0, 'all gone at the TTL');
});

test('bounded: the oldest entry makes room', () => {
  const c = new TtlCache<number>(1000, 2);
  c.set('a', 1, 0);
  c.set('b', 2, 0);
  c.set('c', 3, 0);
  assert.equal(c.get('a', 1), undefined);
  assert.equal(c.get('c', 1), 3);
});
