import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonReply } from '@breakwater/outbound/testing';
import { kindOfStatus, providerCall, retryAfterMs } from './http.ts';
import { ScrubbingError } from './errors.ts';
import { manualClock, startProviderFake, type ProviderFake } from './testing/fake-server.ts';

let fake: ProviderFake;
// An injected clock: Retry-After dates are read against it, never against the machine's "now" (passes under faketime +40d and +400d).
const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
before(async () => { fake = await startProviderFake({ handle: () => jsonReply(200, { ok: true }), failure: () => jsonReply(500, {}) }, clock); });
after(() => fake.stop());

const deps = (waits: number[]) => ({ now: () => clock.now(), timeoutMs: 2000, reach: ['loopback'] as const, sleep: async (ms: number) => { waits.push(ms); } });

test('Retry-After as seconds or as an HTTP date (against the injected clock)', () => {
  assert.equal(retryAfterMs('7', clock.now()), 7000);
  assert.equal(retryAfterMs(new Date(clock.now() + 4000).toUTCString(), clock.now()), 4000);
  assert.equal(retryAfterMs(new Date(clock.now() - 4000).toUTCString(), clock.now()), 0);
  assert.equal(retryAfterMs('soon', clock.now()), null);
  assert.equal(retryAfterMs(null, clock.now()), null);
});

test('statuses map to kinds: 401/403 auth, 429 rate_limited, 408 timeout, 5xx provider, other 4xx refused', () => {
  assert.deepEqual([401, 403, 429, 408, 500, 503, 400, 404, 409].map(kindOfStatus), ['auth', 'auth', 'rate_limited', 'timeout', 'provider', 'provider', 'refused', 'refused', 'refused']);
});

test('a 429 with an HTTP-date Retry-After is waited out; one without Retry-After fails at once with a hint', async () => {
  const waits: number[] = [];
  fake.script(jsonReply(429, { error: 'slow down' }, { 'retry-after': new Date(clock.now() + 2000).toUTCString() }));
  const r = await providerCall(deps(waits), { method: 'GET', url: `${fake.url}/x` }, 'test: read', []);
  assert.equal(r.status, 200);
  assert.deepEqual(waits, [2000]);
  fake.script(jsonReply(429, { error: 'slow down' }));
  await assert.rejects(providerCall(deps(waits), { method: 'GET', url: `${fake.url}/x` }, 'test: read', []), (e: unknown) =>
    e instanceof ScrubbingError && e.kind === 'rate_limited' && e.retryAfterMs === 1000 && /HTTP 429: slow down/.test(e.message));
  assert.deepEqual(waits, [2000]);
});

test('a destination the outbound policy refuses is a config error about config.api_url', async () => {
  await assert.rejects(providerCall({ ...deps([]), reach: [] }, { method: 'GET', url: `${fake.url}/x` }, 'test: read', []), (e: unknown) =>
    e instanceof ScrubbingError && e.kind === 'config' && e.key === 'config.api_url');
});
