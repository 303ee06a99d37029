// The HTTP front: credentials are checked before a body is parsed or validated (so a caller
// without them learns nothing of the schema), and malformed cookies and absurdly nested JSON
// are clear 4xx envelopes on every route, never 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type Reply, type TestServer } from './harness.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const JSON_TYPE = { 'content-type': 'application/json' };
/** Field names of the schemas the invalid bodies below break: none may appear in a 401/403. */
const SCHEMA_WORDS = /\b(name|ip|email|uptime|agent_version|password|incident_id|must|allowed field)\b/;
const deep = (levels: number) => '{"x":'.repeat(levels) + '1' + '}'.repeat(levels);

function refused(r: Reply, status: number, code: string, what: string): void {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(errorCode(r), code, what);
  assert.doesNotMatch(r.body.error.message, SCHEMA_WORDS, `${what} says nothing of the schema`);
}

for (const backend of BACKENDS) {
  describe(`HTTP front on ${backend.name}`, () => {
    let t: TestServer;
    let node: { uuid: string; key: string };
    let viewerToken: string;
    let cookie: string;

    before(async () => {
      t = await startTestServer(backend);
      node = await t.deploy(t.admin, 'front');
      cookie = await t.login(t.admin.email, t.admin.password);
      const v = await t.request('POST', '/api/dash/tokens', { token: null, headers: { cookie, ...CSRF }, body: { name: 'front viewer', kind: 'api', role: 'viewer' } });
      viewerToken = v.body.data.token;
    });
    after(async () => t.stop());

    test('an unauthenticated POST with an invalid body gets 401, not the schema, for every kind of credential', async () => {
      const invalid = JSON.stringify({ nonsense: true, name: 5 });
      const cases: [string, string, Record<string, string>][] = [
        ['api token', '/api/v1/nodes', {}],
        ['api token (wrong token)', '/api/v1/nodes', { authorization: `Bearer bwa_${'0'.repeat(64)}` }],
        ['session + CSRF', '/api/dash/tokens', CSRF],
        ['session + CSRF (users)', '/api/dash/users', CSRF],
        ['session (expired cookie)', '/api/dash/tokens', { cookie: `bw_session=bws_${'1'.repeat(64)}`, ...CSRF }],
        ['deploy token', '/api/deploy', {}],
        ['deploy token (wrong token)', '/api/deploy', { authorization: `Bearer bwd_${'0'.repeat(64)}` }],
        ['node key', '/api/v1/agent/heartbeat', {}],
        ['node key (no X-Node-UUID)', '/api/v1/agent/heartbeat', { authorization: `Bearer ${node.key}` }],
        ['api token (agent commands)', `/api/agents/${node.uuid}/commands`, {}],
      ];
      for (const [what, path, headers] of cases) {
        const r = await t.request('POST', path, { token: null, raw: invalid, headers: { ...JSON_TYPE, ...headers } });
        refused(r, 401, 'unauthorized', what);
        // neither does malformed JSON nor a content type we do not take get past the credential check
        refused(await t.request('POST', path, { token: null, raw: '{"name": ', headers: { ...JSON_TYPE, ...headers } }), 401, 'unauthorized', `${what}, broken JSON`);
        refused(await t.request('POST', path, { token: null, raw: '<x/>', headers: { 'content-type': 'application/xml', ...headers } }), 401, 'unauthorized', `${what}, XML`);
      }
    });

    test('PCAP uploads (multipart and raw chunks) are refused before a byte of the file is read', async () => {
      const f = new FormData();
      f.append('incident_id', 'not-even-a-number');
      f.append('file', new Blob([new Uint8Array(256 * 1024).fill(0x41)]), 'x.pcap');
      const multi = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', body: f });
      refused({ status: multi.status, body: await multi.json(), headers: multi.headers }, 401, 'unauthorized', 'multipart pcap');
      const chunk = await t.request('POST', '/api/v1/agent/incidents/x/pcap', { token: null, raw: new Uint8Array(1024), headers: { 'content-type': 'application/octet-stream', 'x-node-uuid': node.uuid } });
      refused(chunk, 401, 'unauthorized', 'chunked pcap');
    });

    test('an authenticated caller without the right (role, CSRF header) gets 403 before its body is validated', async () => {
      const invalid = { raw: JSON.stringify({ name: 5, ip: '192.0.2.1' }), headers: JSON_TYPE };
      refused(await t.request('POST', '/api/v1/nodes', { token: viewerToken, ...invalid }), 403, 'forbidden', 'viewer token');
      const noCsrf = await t.request('POST', '/api/dash/tokens', { token: null, raw: invalid.raw, headers: { ...JSON_TYPE, cookie } });
      assert.equal(noCsrf.status, 403);
      assert.match(noCsrf.body.error.message, /x-breakwater-csrf/);
      // and with the credential the same body is a 400 naming the field, as before
      const ok = await t.request('POST', '/api/v1/nodes', { ...invalid });
      assert.equal(ok.status, 400);
      assert.match(ok.body.error.message, /^name: /);
    });

    test('a malformed session cookie is a 401 envelope on every kind of route; logout clears it', async () => {
      const bad = { cookie: 'bw_session=%E0%A4%A' };
      for (const [method, path] of [['GET', '/api/dash/me'], ['GET', '/api/v1/nodes'], ['GET', '/api/dash/tokens'], ['POST', '/api/dash/tokens'], ['GET', '/api/dash/live']] as const) {
        const r = await t.request(method, path, { token: null, headers: { ...bad, ...CSRF } });
        assert.equal(r.status, 401, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'unauthorized');
        assert.match(r.body.error.message, /bw_session cookie is not valid percent-encoding/);
      }
      const out = await t.request('POST', '/api/dash/logout', { token: null, headers: { ...bad, ...CSRF } });
      assert.equal(out.status, 200);
      assert.match(out.headers.get('set-cookie') ?? '', /^bw_session=; .*Max-Age=0/);
      // other cookies beside it, percent-encoded or not, do not matter
      const fine = await t.request('GET', '/api/dash/me', { token: null, headers: { cookie: `theme=%E0%A4%A; ${cookie}` } });
      assert.equal(fine.status, 200);
    });

    test('JSON nested thousands deep is a 400 naming the limit on every JSON route, never a 500', async () => {
      const body = `{"attack_family":"udp_flood","name":"n","ip":"192.0.2.1","email":"a@b.c","password":"x","extra":${deep(5000)}}`;
      const routes: [string, string, Record<string, string>][] = [
        ['POST', '/api/v1/agent/incidents', { authorization: `Bearer ${node.key}`, 'x-node-uuid': node.uuid }],
        ['POST', '/api/v1/agent/heartbeat', { authorization: `Bearer ${node.key}`, 'x-node-uuid': node.uuid }],
        ['POST', '/api/v1/nodes', { authorization: `Bearer ${t.admin.apiToken}` }],
        ['POST', '/api/v1/channels', { authorization: `Bearer ${t.admin.apiToken}` }],
        ['POST', '/api/deploy', { authorization: `Bearer ${t.admin.deployToken}` }],
        ['POST', '/api/dash/login', {}],
        ['POST', '/api/dash/users', { cookie, ...CSRF }],
      ];
      for (const [method, path, headers] of routes) {
        const r = await t.request(method, path, { token: null, raw: body, headers: { ...JSON_TYPE, ...headers } });
        assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'validation_error');
        assert.match(r.body.error.message, /^body: objects and arrays may nest at most 64 levels deep/);
      }
      // ordinary nesting still passes
      const fine = await t.request('POST', '/api/v1/agent/incidents', {
        token: node.key, raw: JSON.stringify({ attack_family: 'udp_flood', top_dst_ports: [{ port: 53, count: 1 }] }), headers: { ...JSON_TYPE, 'x-node-uuid': node.uuid },
      });
      assert.equal(fine.status, 200, JSON.stringify(fine.body));
    });
  });
}
