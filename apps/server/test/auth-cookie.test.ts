// The session cookie is Secure when the server is said to be behind TLS: --secure-cookies, or by
// default an https:// public URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sqliteBackend } from '@breakwater/testing';
import { resolveConfig } from '../src/index.ts';
import { startTestServer } from './harness.ts';

test('secureCookies: on by default for an https:// public URL, off for http:// or none, an explicit choice wins', () => {
  assert.equal(resolveConfig({ publicUrl: 'https://ddos.example.com' }).secureCookies, true);
  assert.equal(resolveConfig({ publicUrl: 'http://10.0.0.5:8080' }).secureCookies, false);
  assert.equal(resolveConfig({}).secureCookies, false);
  assert.equal(resolveConfig({ publicUrl: 'https://ddos.example.com', secureCookies: false }).secureCookies, false);
  assert.equal(resolveConfig({ secureCookies: true }).secureCookies, true);
  assert.throws(() => resolveConfig({ secureCookies: 'yes' as never }), /^Error: config secureCookies: must be true or false, got "yes"$/);
});

test('behind an https:// public URL the session cookie is Secure, HttpOnly and SameSite=Strict; logout clears it the same way', async () => {
  for (const [publicUrl, secure] of [['https://ddos.example.com', true], ['http://127.0.0.1', false]] as const) {
    const t = await startTestServer(sqliteBackend, { publicUrl });
    try {
      const r = await t.request('POST', '/api/dash/login', { token: null, body: { email: t.admin.email, password: t.admin.password } });
      assert.equal(r.status, 200);
      const set = r.headers.get('set-cookie') ?? '';
      assert.match(set, /^bw_session=bws_[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
      assert.equal(/; Secure$/.test(set), secure, set);
      const out = await t.request('POST', '/api/dash/logout', { token: null, headers: { cookie: set.split(';')[0]!, 'x-breakwater-csrf': '1' } });
      assert.equal(/; Secure$/.test(out.headers.get('set-cookie') ?? ''), secure);
    } finally {
      await t.stop();
    }
  }
});
