import assert from 'node:assert/strict';
import { test } from 'node:test';
import { excerptOf, outcomeOfStatus, parseRetryAfter, redact } from './delivery-result.ts';

test('status classes: 2xx delivered; 408/429/5xx retry; other 4xx and 3xx give up', () => {
  const cases: Array<[number, string, string | null]> = [
    [200, 'delivered', null], [202, 'delivered', null], [204, 'delivered', null],
    [408, 'retryable', 'timeout'], [429, 'retryable', 'rate_limited'], [500, 'retryable', 'server_error'], [503, 'retryable', 'server_error'],
    [400, 'permanent', 'rejected'], [404, 'permanent', 'rejected'], [410, 'permanent', 'rejected'], [422, 'permanent', 'rejected'],
    [401, 'permanent', 'unauthorized'], [403, 'permanent', 'unauthorized'], [301, 'permanent', 'rejected'],
  ];
  for (const [status, outcome, reason] of cases) assert.deepEqual(outcomeOfStatus(status), { outcome, reason }, `HTTP ${status}`);
});

test('Retry-After: delta-seconds or HTTP-date, relative to the injected clock', () => {
  const now = Date.parse('2026-05-04T10:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('1.5', now), 1500);
  assert.equal(parseRetryAfter('Mon, 04 May 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Mon, 04 May 2026 09:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(null, now), null);
});

test('redact removes secrets in plain and URL-encoded form, longest first', () => {
  const secrets = ['abc/def+ghi', 'abc/def+ghi/jkl'];
  assert.equal(redact('x abc/def+ghi/jkl y abc%2Fdef%2Bghi z', secrets), 'x [redacted] y [redacted] z');
});

test('excerpts are one printable line, capped at 120 characters', () => {
  const e = excerptOf(`line1\n\n  line2 ${'x'.repeat(500)}`, []);
  assert.ok(e.startsWith('line1 line2 x'));
  assert.equal(e.length, 120);
  assert.equal(excerptOf('550 bad\u202Euser\u0000', []), '550 bad user');
});
