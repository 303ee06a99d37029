// Names, labels and other text shown back to people: control characters (NUL, BEL…) and
// bidirectional overrides (U+202E makes "exe.txt" read as "txt.exe") are refused with a 400
// naming the field; letters of any script are kept exactly as sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type Reply, type TestServer } from './harness.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const BAD: [string, string][] = [
  ['NUL', 'edge\u0000one'],
  ['RTL override', 'edge\u202Egnp.exe'],
  ['BEL', 'edge\u0007one'],
  ['zero-width space', 'edge\u200Bone'],
  ['C1 NEL', 'edge\u0085one'],
  ['BOM', '\uFEFFedge'],
  ['line feed', 'edge\none'],
  ['lone surrogate', 'edge\uD800one'],
];
const GOOD = ['Zürich-edge-1', '東京', 'Ωmega edge 😀 #2'];

for (const backend of BACKENDS) {
  describe(`text hygiene on ${backend.name}`, () => {
    let t: TestServer;
    let node: { uuid: string; key: string };
    let cookie: string;
    let n = 0;

    before(async () => {
      t = await startTestServer(backend);
      node = await t.deploy(t.admin, 'hygiene-target');
      cookie = await t.login(t.admin.email, t.admin.password);
    });
    after(async () => t?.stop());

    const ip = () => `198.51.100.${++n}`;
    const dash = (m: string, p: string, body: unknown) => t.request(m, p, { token: null, headers: { cookie, ...CSRF }, body });
    // [what, field, send a body holding `text` in that field]
    const routes: [string, string, (text: string) => Promise<Reply>][] = [
      ['node create', 'name', (s) => t.request('POST', '/api/v1/nodes', { body: { name: s, ip: ip() } })],
      ['node create', 'location', (s) => t.request('POST', '/api/v1/nodes', { body: { name: `n${++n}`, ip: ip(), location: s } })],
      ['node update', 'name', (s) => t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { name: s } })],
      ['deploy', 'name', (s) => t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: s, ip: ip() } })],
      ['channel create', 'name', (s) => t.request('POST', '/api/v1/channels', { body: { name: s, type: 'webhook', config: { url: 'https://hooks.example.com/breakwater' } } })],
      ['adapter create', 'name', (s) => t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: s, endpoint: 'https://scrub.example.com/hook', auth_token: 's3cret-s3cret' } })],
      ['allowlist create', 'label', (s) => t.request('POST', '/api/v1/allowlist', { body: { ip_address: ip(), label: s } })],
      ['threshold create', 'label', (s) => t.request('POST', '/api/v1/mitigation/thresholds', { body: { target_ip: ip(), label: s, thresholds: { tier1_pps: 1000 } } })],
      ['maintenance window', 'name', (s) => t.request('POST', '/api/v1/maintenance-windows', { body: { name: s, starts_at: new Date(t.clock.now()).toISOString(), ends_at: new Date(t.clock.now() + 3_600_000).toISOString() } })],
      ['token create', 'name', (s) => dash('POST', '/api/dash/tokens', { name: s, kind: 'api', role: 'viewer' })],
      ['workspace rename', 'name', (s) => dash('PATCH', '/api/dash/workspace', { name: s })],
      ['user create', 'name', (s) => dash('POST', '/api/dash/users', { email: `u${++n}@example.com`, name: s, role: 'viewer', password: 'correct horse battery' })],
      ['agent heartbeat', 'os', (s) => t.agent(node, 'POST', '/heartbeat', { agent_version: '2.1.0', os: s })],
      ['agent incident', 'attack_subtype', (s) => t.agent(node, 'POST', '/incident', { attack_family: 'udp_flood', severity: 'low', attack_subtype: s, peak_pps: 1 })],
      ['agent incidents', 'attack_subtype', (s) => t.agent(node, 'POST', '/incidents', { attack_family: 'syn_flood', attack_subtype: s, peak_pps: 1 })],
    ];

    test('control characters, bidi overrides and lone surrogates are refused with a 400 naming the field', async () => {
      for (const [what, field, send] of routes) {
        for (const [kind, text] of BAD) {
          const r = await send(text);
          assert.equal(r.status, 400, `${what} ${field} with ${kind}: ${r.status} ${JSON.stringify(r.body)}`);
          assert.equal(errorCode(r), 'validation_error', `${what} ${kind}`);
          const message: string = r.body.error.message;
          assert.ok(message.startsWith(`${field}: must not contain control or bidirectional-override characters`), `${what} ${kind}: ${message}`);
          assert.match(message, /letters and symbols of any script are allowed/);
        }
      }
    });

    test('letters of any script are accepted and kept exactly', async () => {
      for (const [what, field, send] of routes) {
        for (const text of GOOD) {
          const r = await send(`${text} ${++n}`);
          assert.ok(r.status === 200 || r.status === 201, `${what} ${field} ${text}: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }
      const name = `Zürich-edge-東京 ${++n}`;
      const created = await t.request('POST', '/api/v1/nodes', { body: { name, ip: ip() } });
      const got = await t.request('GET', `/api/v1/nodes/${created.body.data.uuid}`);
      assert.equal(got.body.data.name, name);
    });

    test('a mitigation reason may span lines, but holds no other controls', async () => {
      const rule = (reason: string) => t.request('POST', '/api/v1/mitigation/rules', { body: { adapter_id: 'none', intent_type: 'blackhole', target_ip: '203.0.113.9', reason } });
      const bad = await rule('line one\u0000');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^reason: must not contain control or bidirectional-override characters \(C0\/C1 controls other than line feed and tab/);
      const multi = await rule('line one\n\tline two');
      // Past validation: the made-up adapter is what it refuses now.
      assert.doesNotMatch(JSON.stringify(multi.body), /reason:/);
    });
  });
}
