// What channels and adapters may call, and what adapters may run, write and connect to on this
// host: refused at create, update and /test with the error envelope naming the key; allowed where
// the operator's config grants it. Adapter secrets are masked for every role; the reference's
// channel key names are accepted.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { channels, mitigation as repo } from '@breakwater/db';
import { sqliteBackend, waitFor } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type Reply, type TestServer } from './harness.ts';
import { Receiver } from './receiver.ts';

const SECRET = 'a-webhook-secret-of-32-characters!';

function refused(r: Reply, key: RegExp, what: RegExp): void {
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(errorCode(r), 'validation_error');
  assert.match(r.body.error.message, key);
  assert.match(r.body.error.message, what);
}

describe('outbound policy: nothing granted (the defaults)', () => {
  let t: TestServer;
  let port = '';
  before(async () => {
    t = await startTestServer(sqliteBackend);
    port = new URL(t.url).port;
  });
  after(async () => { await t?.stop(); });

  const channel = (config: Record<string, unknown>, type = 'webhook') => t.request('POST', '/api/v1/channels', { body: { name: `c-${randomUUID().slice(0, 8)}`, type, config } });
  const adapter = (adapter_type: string, endpoint: string, config: Record<string, unknown> = {}, auth_token?: string) =>
    t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type, name: `a-${randomUUID().slice(0, 8)}`, endpoint, config, ...(auth_token ? { auth_token } : {}) } });

  test('channels at the metadata address, a private address, the server itself or a name resolving to it are refused at create', async () => {
    refused(await channel({ url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }), /^config\.url: refused: /, /metadata/);
    refused(await channel({ url: 'http://[::ffff:169.254.169.254]/' }), /^config\.url: /, /metadata/);
    refused(await channel({ url: 'http://10.20.30.40/hook' }), /^config\.url: /, /private.*does not allow/);
    refused(await channel({ url: `http://127.0.0.1:${port}/api/dash/me` }), /^config\.url: /, /loopback/);
    refused(await channel({ url: `http://localhost:${port}/api/dash/me` }), /^config\.url: /, /localhost \(.*\).*loopback/);
    refused(await channel({ webhook_url: 'http://169.254.169.254/x' }, 'slack'), /^config\.webhook_url: /, /metadata/);
    refused(await channel({ alertmanager_url: 'http://192.168.1.9:9093' }, 'prometheus'), /^config\.alertmanager_url: /, /private/);
    refused(await channel({ to: ['noc@example.com'], smtp_url: 'smtp://169.254.169.254:25' }, 'email'), /^config\.smtp_url: /, /metadata/);
  });

  test('…and at update, and a channel stored before the policy is refused at /test', async () => {
    const ok = await channel({ url: 'https://hooks.example.com/breakwater' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    refused(await t.request('PATCH', `/api/v1/channels/${ok.body.data.id}`, { body: { config: { url: 'http://169.254.169.254/' } } }), /^config\.url: /, /metadata/);
    const now = Date.now();
    const id = randomUUID();
    await channels.insertChannel(t.server.ctx.db, {
      id, workspace_id: t.admin.workspaceId, name: 'old', type: 'webhook', config: JSON.stringify({ url: 'http://169.254.169.254/latest/' }),
      enabled: 1, min_severity: 'low', filters: '{}', created_at: now, updated_at: now,
    });
    refused(await t.request('POST', `/api/v1/channels/${id}/test`), /^config\.url: /, /metadata/);
  });

  test('adapters at the metadata address, a private address or the server itself are refused at create, update and /test', async () => {
    refused(await adapter('webhook', 'http://169.254.169.254/latest/api/token', {}, SECRET), /^endpoint: refused: /, /metadata/);
    refused(await adapter('f5', 'https://10.0.0.8', { username: 'admin' }, 'pw'), /^endpoint: /, /private/);
    refused(await adapter('webhook', `http://127.0.0.1:${port}/api/dash/me`, {}, SECRET), /^endpoint: /, /loopback/);
    refused(await adapter('webhook', `http://localhost:${port}/api/dash/me`, {}, SECRET), /^endpoint: /, /loopback/);
    refused(await adapter('gobgp', '169.254.169.254:50051'), /^endpoint: /, /metadata/);
    refused(await adapter('gobgp', '10.1.1.1:50051'), /^endpoint: /, /private/);
    // BGP speakers on loopback are normal: allowed by default for gobgp (nothing listens: saved as down).
    const bgp = await adapter('gobgp', 'localhost:50051');
    assert.equal(bgp.status, 201, JSON.stringify(bgp.body));
    const ok = await adapter('webhook', 'https://hooks.example.com/mitigate', {}, SECRET);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    refused(await t.request('PUT', `/api/v1/mitigation/adapters/${ok.body.data.id}`, { body: { adapter_type: 'webhook', name: 'x', endpoint: 'http://169.254.169.254/' } }), /^endpoint: /, /metadata/);
    const now = Date.now();
    const id = randomUUID();
    await repo.insertAdapter(t.server.ctx.db, {
      id, workspace_id: t.admin.workspaceId, name: 'old', adapter_type: 'webhook', endpoint: 'http://169.254.169.254/hook', auth_token: SECRET, config: '{}',
      capabilities: '["blackhole"]', max_active_rules: 10, status: 'up', last_test_at: null, last_latency_ms: null, last_error: null, created_at: now, updated_at: now,
    });
    refused(await t.request('POST', `/api/v1/mitigation/adapters/${id}/test`), /^endpoint: /, /metadata/);
  });

  test('BGP adapters take no program path and no file or socket outside the server\'s directories from the API', async () => {
    refused(await adapter('bird2', '/run/bird/bird.ctl', { birdc: '/bin/sh' }), /^config\.birdc: /, /server's own config \(mitigation\.bird2\.birdc\)/);
    refused(await adapter('bird2', '/run/bird/bird.ctl', { include_path: '/etc/cron.d/breakwater' }), /^config\.include_path: /, /must be a file in .*bird/);
    refused(await adapter('bird2', '/run/bird/bird.ctl', { include_file: '../../etc/passwd' }), /^config\.include_file: /, /file name/);
    refused(await adapter('bird2', '/var/run/docker.sock'), /^endpoint: /, /mitigation\.socketDirs/);
    refused(await adapter('bird2', '/run/bird/../docker.sock'), /^endpoint: /, /absolute path/);
    refused(await adapter('frr', '/tmp/frr', { local_as: 65001 }), /^endpoint: /, /mitigation\.socketDirs/);
    refused(await adapter('frr', '/run/frr', { local_as: 65001, vtysh: '/bin/sh' }), /^config\.vtysh: /, /never from the API/);
    refused(await adapter('exabgp', '/var/run/docker.sock'), /^endpoint: /, /mitigation\.socketDirs/);
    refused(await adapter('gobgp', 'unix:///var/run/docker.sock'), /^endpoint: /, /mitigation\.socketDirs/);
    // Inside the allowed directories they are accepted (nothing listens there: saved as down).
    const bird = await adapter('bird2', '/run/bird/bird.ctl', { include_file: 'edge.conf' });
    assert.equal(bird.status, 201, JSON.stringify(bird.body));
  });

  test('adapter header values and credential keys are masked for every role; the mask sent back keeps the secret', async () => {
    const created = await adapter('webhook', 'https://hooks.example.com/mitigate', { headers: { 'X-Api-Key': 'vendor-key-0123456789', 'X-Tenant': 'acme-tenant-name' } }, SECRET);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.data.id;
    assert.deepEqual(created.body.data.config.headers, { 'X-Api-Key': '****6789', 'X-Tenant': '****name' });
    const viewer = await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'viewer', 'viewer', null);
    for (const token of [undefined, viewer.secret]) {
      const list = await t.request('GET', '/api/v1/mitigation/adapters', token ? { token } : {});
      const mine = list.body.data.find((a: { id: string }) => a.id === id);
      assert.deepEqual(mine.config.headers, { 'X-Api-Key': '****6789', 'X-Tenant': '****name' });
      assert.ok(!JSON.stringify(list.body).includes('vendor-key-0123456789'));
    }
    const put = await t.request('PUT', `/api/v1/mitigation/adapters/${id}`, { body: { adapter_type: 'webhook', name: 'renamed', endpoint: 'https://hooks.example.com/mitigate', config: { headers: { 'x-api-key': '****6789', 'X-Tenant': 'other-tenant' } } } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const row = await repo.getAdapter(t.server.ctx.db, t.admin.workspaceId, id);
    assert.deepEqual(JSON.parse(row!.config).headers, { 'x-api-key': 'vendor-key-0123456789', 'X-Tenant': 'other-tenant' });
  });

  test('the reference\'s channel key names are accepted beside ours and stored under ours', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['webhook', { webhook_url: 'https://hooks.example.com/a' }, 'url'],
      ['slack', { url: 'https://hooks.slack.com/services/T/B/X' }, 'webhook_url'],
      ['pagerduty', { integration_key: 'a'.repeat(32) }, 'routing_key'],
      ['telegram', { token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', chat_id: 42 }, 'bot_token'],
      ['email', { email: 'noc@example.com' }, 'to'],
      ['prometheus', { url: 'https://am.example.com' }, 'alertmanager_url'],
      ['grafana', { webhook_url: 'https://grafana.example.com', api_key: 'k' }, 'url'],
      ['sms', { api_url: 'https://api.telnyx.com/v2/messages', api_key: 'k', phone: '+15551230001', from: '+15559870000' }, 'to'],
    ];
    for (const [type, config, ours] of cases) {
      const r = await channel(config, type);
      assert.equal(r.status, 201, `${type}: ${JSON.stringify(r.body)}`);
      assert.ok(ours in r.body.data.config, `${type} stores ${ours}: ${JSON.stringify(r.body.data.config)}`);
    }
    refused(await channel({ url: 'https://a.example.com', webhook_url: 'https://b.example.com' }), /^config\.webhook_url: /, /same setting as config\.url/);
  });
});

describe('outbound policy: loopback granted in the server config', () => {
  let t: TestServer;
  const hook = new Receiver(SECRET);
  before(async () => {
    await hook.start();
    t = await startTestServer(sqliteBackend, { outbound: { channels: { webhook: ['loopback'] }, adapters: { webhook: ['loopback'] } }, outbox: { pollMs: 50 } as never });
  });
  after(async () => { await t?.stop(); await hook.stop(); });

  test('a webhook channel and adapter on loopback are accepted and called; other types still are not', async () => {
    const ch = await t.request('POST', '/api/v1/channels', { body: { name: 'local', type: 'webhook', config: { url: hook.url, secret: SECRET } } });
    assert.equal(ch.status, 201, JSON.stringify(ch.body));
    assert.equal((await t.request('POST', `/api/v1/channels/${ch.body.data.id}/test`)).status, 202);
    await waitFor('the test message at the local receiver', async () => hook.received.some((m) => m.event === 'test'));
    refused(await t.request('POST', '/api/v1/channels', { body: { name: 'grafana', type: 'grafana', config: { url: hook.url, api_key: 'k' } } }), /^config\.url: /, /loopback/);
    const ad = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'local', endpoint: hook.url, auth_token: SECRET } });
    assert.equal(ad.status, 201, JSON.stringify(ad.body));
    // Still never the metadata address, whatever is granted.
    refused(await t.request('POST', '/api/v1/channels', { body: { name: 'meta', type: 'webhook', config: { url: 'http://169.254.169.254/' } } }), /^config\.url: /, /never calls/);
  });
});
