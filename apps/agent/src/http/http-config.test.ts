import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHttpConfig } from '../agent.ts';
import { validateAgentConfig } from '../agent-config.ts';

const base = { server_url: 'http://127.0.0.1:8080', node_uuid: '00000000-0000-4000-8000-000000000001', api_key: 'a'.repeat(64) };
const http = (h: unknown) => checkHttpConfig(validateAgentConfig({ ...base, http: h }));

test('agent config http: defaults filled in; no key, no HTTP watch', () => {
  assert.equal(checkHttpConfig(validateAgentConfig(base)), null);
  const c = http({ logs: [{ path: '/var/log/nginx/access.log', format: 'combined' }] })!;
  assert.deepEqual(c.ports, [80, 443]);
  assert.equal(c.max_line_bytes, 16_384);
  assert.equal(c.engine.thresholds.uriRps, 500);
  assert.equal(c.engine.baseline.multiplier, 4);
  assert.ok(c.login_paths.includes('/wp-login.php'));
});

test('agent config http: a bad value is refused with a message naming the key and what is allowed', () => {
  const cases: [unknown, RegExp][] = [
    [{ logs: [{ path: 'relative.log', format: 'combined' }] }, /http\.logs\[0\]\.path.*absolute path/],
    [{ logs: [{ path: '/x.log', format: 'apache2' }] }, /http\.logs\[0\]\.format.*combined, common, caddy_json, haproxy, custom/],
    [{ logs: [{ path: '/x.log', format: 'custom' }] }, /http\.logs\[0\]\.fields: required for the custom format/],
    [{ logs: [{ path: '/x.log', format: 'custom', fields: ['source', 'regex'] }] }, /http\.logs\[0\]\.fields/],
    [{ logs: [{ path: '/x.log', format: 'combined', fields: ['source'] }] }, /only for the custom format/],
    [{ max_line_bytes: 10 }, /http\.max_line_bytes/],
    [{ detection: { thresholds: { uriRps: -5 } } }, /http\.detection\.thresholds\.uriRps/],
    [{ detection: { windowMs: 'x' } }, /http\.detection\.windowMs/],
    [{ nope: true }, /nope/],
  ];
  for (const [h, re] of cases) assert.throws(() => http(h), re, JSON.stringify(h));
});
