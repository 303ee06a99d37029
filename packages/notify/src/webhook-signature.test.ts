import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { signWebhook, verifyWebhook } from './webhook-signature.ts';

const SECRET = 'whsec_0123456789abcdef';
const BODY = '{"event":"incident.opened","incident":{"uuid":"x"}}';
const NOW = Date.parse('2026-05-04T10:12:03Z');
const TS = NOW / 1000;

test('the signature is HMAC-SHA256 over "<timestamp>.<raw body>", hex, prefixed sha256=', () => {
  const want = createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');
  assert.equal(signWebhook(SECRET, TS, BODY), `sha256=${want}`);
});

test('a receiver accepts the request as signed', () => {
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: signWebhook(SECRET, TS, BODY), timestamp: String(TS) }, NOW), { ok: true });
});

test('a tampered body, a wrong secret or a moved timestamp fail', () => {
  const sig = signWebhook(SECRET, TS, BODY);
  assert.deepEqual(verifyWebhook(SECRET, BODY.replace('opened', 'resolved'), { signature: sig, timestamp: String(TS) }, NOW), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyWebhook('another-secret-000', BODY, { signature: sig, timestamp: String(TS) }, NOW), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: sig, timestamp: String(TS + 1) }, NOW), { ok: false, reason: 'bad_signature' });
});

test('a replay outside the tolerance is refused even with a valid signature', () => {
  const sig = signWebhook(SECRET, TS, BODY);
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: sig, timestamp: String(TS) }, NOW + 301_000), { ok: false, reason: 'stale' });
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: sig, timestamp: String(TS) }, NOW + 299_000), { ok: true });
});

test('missing or malformed headers fail without throwing', () => {
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: undefined, timestamp: String(TS) }, NOW), { ok: false, reason: 'missing_headers' });
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: 'sha256=00', timestamp: '12e3' }, NOW), { ok: false, reason: 'bad_timestamp' });
  assert.deepEqual(verifyWebhook(SECRET, BODY, { signature: 'sha256=00', timestamp: String(TS) }, NOW), { ok: false, reason: 'bad_signature' });
});
