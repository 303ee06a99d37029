// Admin workspace settings reach the rate limiter and the agents' config at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';

const CSRF = { 'x-breakwater-csrf': '1' };

for (const backend of BACKENDS) {
  describe(`workspace settings on ${backend.name}`, () => {
    let t: TestServer;
    let cookie: string;
    before(async () => {
      t = await startTestServer(backend);
      cookie = await t.login(t.admin.email, t.admin.password);
    });
    after(async () => t.stop());

    test('IOC patterns and agent settings are validated and served in agent config', async () => {
      const bad = await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie, ...CSRF }, body: { settings: { ioc_patterns: [{ id: 'm', hex: 'xyz' }] } } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^settings\.ioc_patterns\.0\.hex: /);
      const ok = await t.request('PATCH', '/api/dash/workspace', {
        token: null, headers: { cookie, ...CSRF },
        body: { settings: { ioc_patterns: [{ id: 'mirai', ascii: '/bin/busybox MIRAI' }], service_ports: [80, 443], attack_cooldown: 120 } },
      });
      assert.equal(ok.status, 200);
      const n = await t.deploy(t.admin);
      const c = (await t.agent(n, 'GET', '/config')).body;
      assert.deepEqual(c.ioc_patterns, [{ id: 'mirai', ascii: '/bin/busybox MIRAI' }]);
      // field agents read service_ports as an object (paths.md): the dashboard's port list switches it on
      assert.deepEqual(c.service_ports, { enabled: true, ports: [80, 443], sensitivity: 'medium', pps_threshold: 5000, response_mode: 'alert', block_cooldown: 300, block_scope: 'source', ip_safelist: [] });
      assert.equal(c.attack_cooldown, 120);
      // a later change keeps the other settings
      await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie, ...CSRF }, body: { settings: { pcap_enabled: false } } });
      const c2 = (await t.agent(n, 'GET', '/config')).body;
      assert.equal(c2.pcap_enabled, false);
      assert.equal(c2.attack_cooldown, 120);
    });

    test('a new rate limit applies to the next request', async () => {
      assert.equal((await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie, ...CSRF }, body: { rate_limit_per_minute: 50 } })).status, 200);
      const r = await t.request('GET', '/api/v1/workspace');
      assert.equal(r.headers.get('x-ratelimit-limit'), '50');
      assert.equal(r.body.data.rate_limit_per_minute, 50);
      await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie, ...CSRF }, body: { rate_limit_per_minute: 1000 } });
    });

    test('only an admin session may change settings', async () => {
      assert.equal((await t.request('PATCH', '/api/dash/workspace', { body: { name: 'x' } })).status, 401); // API tokens are not sessions
      await t.request('POST', '/api/dash/users', { token: null, headers: { cookie, ...CSRF }, body: { email: 'op@example.com', name: 'Op', role: 'operator', password: 'operator-password-1' } });
      const op = await t.login('op@example.com', 'operator-password-1');
      assert.equal((await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie: op, ...CSRF }, body: { name: 'x' } })).status, 403);
    });
  });
}
