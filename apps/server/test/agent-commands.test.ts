// Fleet commands (POST /api/agents/{id}/commands) that must never be queued: raw execution
// without an admin and the agent's own opt-in; blocks of allowlisted addresses, of whole
// address families, or of the agent's own path to the server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

const PUBLIC_HOST = '198.51.100.99';

for (const backend of BACKENDS) {
  describe(`fleet command safety on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend, { publicUrl: `https://${PUBLIC_HOST}:8443/` });
    });
    after(async () => t.stop());

    const send = (node: { uuid: string }, body: unknown, token?: string) => t.request('POST', `/api/agents/${node.uuid}/commands`, { body, ...(token ? { token } : {}) });
    const token = async (kind: 'api' | 'deploy', role: 'viewer' | 'operator' | 'admin', scope: 'register' | 'operator' = 'register') =>
      (await createToken(t.server.ctx.db, t.server.ctx.clock, t.admin.workspaceId, kind, `${kind}-${role}`, role, null, scope)).secret;
    const stored = async (node: { uuid: string }) => (await t.request('GET', `/api/agents/${node.uuid}/commands`)).body as { type: string }[];
    const exec = { type: 'exec', params: { argv: ['/bin/sh', '-c', 'id > /tmp/pwned'] } };

    test('exec needs the admin role: operators and deploy tokens (whatever their role and scope) get 403, and nothing is stored', async () => {
      const n = await t.deploy(t.admin);
      await t.agent(n, 'POST', '/heartbeat', { version: '1.0.0', allow_raw_commands: true });
      for (const [who, secret, why] of [
        ['operator API token', await token('api', 'operator'), /^type: exec \(raw execution on the agent\) needs the admin role; the operator role may send low and medium risk commands$/],
        ['operator-scoped deploy token', await token('deploy', 'operator', 'operator'), /^type: exec is never accepted from a deploy token/],
        ['operator-scoped deploy token with the admin role', await token('deploy', 'admin', 'operator'), /^type: exec is never accepted from a deploy token/],
        ['the first deploy token', t.admin.deployToken, /./],
        ['register-scoped deploy token with the admin role', await token('deploy', 'admin'), /./],
      ] as const) {
        const r = await send(n, exec, secret);
        assert.equal(r.status, 403, `${who}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'forbidden');
        assert.match(r.body.error.message, why, who);
      }
      assert.deepEqual(await stored(n), [], 'nothing was queued');
      // An operator still sends firewall intents.
      assert.equal((await send(n, { type: 'drop_port', params: { protocol: 'udp', port: 123 } }, await token('api', 'operator'))).status, 200);
    });

    test('exec needs the agent’s own opt-in, as it last reported it in its heartbeat: 409 otherwise', async () => {
      const n = await t.deploy(t.admin);
      const refused = await send(n, exec);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(errorCode(refused), 'raw_commands_disabled');
      assert.match(refused.body.error.message, /^type: exec refused: .*allow_raw_commands/);
      await t.agent(n, 'POST', '/heartbeat', { version: '1.0.0', allow_raw_commands: 'yes' });
      assert.equal((await send(n, exec)).status, 409, 'only true opts in');
      await t.agent(n, 'POST', '/heartbeat', { version: '1.0.0', allow_raw_commands: true });
      const ok = await send(n, exec);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      // Turned off again and the agent restarted: refused again.
      await t.agent(n, 'POST', '/heartbeat', { version: '1.0.0', allow_raw_commands: false });
      assert.equal((await send(n, exec)).status, 409);
      assert.deepEqual((await stored(n)).map((c) => c.type), ['exec']);
    });

    test('no block shorter than /8 (IPv4) or /32 (IPv6): 0.0.0.0/0 and ::/0 are refused naming the key', async () => {
      const n = await t.deploy(t.admin);
      for (const prefix of ['0.0.0.0/0', '10.0.0.0/7', '::/0', '2001:db8::/31']) {
        const r = await send(n, { type: 'block_prefix', params: { prefix, ttl: 7 * 86_400 } });
        assert.equal(r.status, 400, `${prefix}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'validation_error');
        assert.match(r.body.error.message, /^params\.prefix: .* is shorter than \/(8|32), the shortest IPv[46] prefix a node may block$/);
      }
      for (const prefix of ['10.0.0.0/8', '2001:db8::/32']) assert.equal((await send(n, { type: 'block_prefix', params: { prefix } })).status, 200, prefix);
      assert.equal((await stored(n)).length, 2);
    });

    test('the allowlist wins: a block covering a workspace or node entry is refused with 409 naming it', async () => {
      const n = await t.deploy(t.admin);
      const other = await t.deploy(t.admin);
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '192.0.2.16/28', label: 'office' } })).status, 201);
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '2001:db8:1::7', scope: 'node', node: n.uuid } })).status, 201);
      for (const body of [
        { type: 'block_source', params: { address: '192.0.2.20' } },
        { type: 'block_prefix', params: { prefix: '192.0.0.0/16' } },
        { type: 'block_source', params: { address: '2001:db8:1::7' } },
        { type: 'block_prefix', params: { prefix: '2001:db8::/32' } },
      ]) {
        const r = await send(n, body);
        assert.equal(r.status, 409, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'allowlisted');
        assert.match(r.body.error.message, /^params\.(address|prefix): .* covers allowlist entry (192\.0\.2\.16\/28|2001:db8:1::7)/);
      }
      assert.deepEqual(await stored(n), []);
      // The node entry is that node's: another node may block the address.
      assert.equal((await send(other, { type: 'block_source', params: { address: '2001:db8:1::7' } })).status, 200);
      assert.equal((await send(n, { type: 'block_source', params: { address: '192.0.2.40' } })).status, 200, 'outside the entry');
    });

    test('the agent’s management path is never blocked: node address, stream connection, reported server address, public URL host', async () => {
      const n = await t.deploy(t.admin, undefined, '203.0.113.44');
      const refused = async (body: unknown, what: RegExp) => {
        const r = await send(n, body);
        assert.equal(r.status, 409, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'management_path');
        assert.match(r.body.error.message, what);
      };
      await refused({ type: 'block_source', params: { address: '203.0.113.44' } }, /^params\.address: 203\.0\.113\.44 covers 203\.0\.113\.44, the address of node /);
      await refused({ type: 'block_prefix', params: { prefix: `${PUBLIC_HOST.replace(/\.\d+$/, '.0')}/24` } }, /covers 198\.51\.100\.99, the server's public URL host/);
      // The agent reports the server addresses it resolved from its server URL.
      await t.agent(n, 'POST', '/heartbeat', { version: '1.0.0', server_addresses: ['192.0.2.200', 'junk', 5] });
      await refused({ type: 'block_prefix', params: { prefix: '192.0.2.192/26' } }, /covers 192\.0\.2\.200, the server's address as the agent of node .* resolved it/);
      // The push stream's connection: the server sees the node come from 127.0.0.1 and reach it at 127.0.0.1.
      assert.equal((await send(n, { type: 'block_source', params: { address: '127.0.0.1', ttl: 60 } })).status, 200, 'unknown before the node connects');
      const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/agent/stream`, { headers: { authorization: `Bearer ${n.key}`, 'x-node-uuid': n.uuid } });
      const hello = new Promise((resolve) => ws.addEventListener('message', (ev) => (JSON.parse(String(ev.data)).type === 'hello' ? resolve(true) : undefined)));
      try {
        await waitFor('stream hello', () => hello, 10_000);
        await refused({ type: 'block_prefix', params: { prefix: '127.0.0.0/8' } }, /covers 127\.0\.0\.1, the address node .* reaches the server from/);
      } finally {
        ws.close();
      }
      // Rules without an address are not about the path: still queued.
      assert.equal((await send(n, { type: 'syn_protection', params: { pps: 1000 } })).status, 200);
    });

    test('the mitigation policy’s firewall commands pass the same checks (a refused block is recorded as failed, never queued)', async () => {
      const n = await t.deploy(t.admin, undefined, '203.0.113.45');
      const node = await t.server.ctx.db.selectFrom('nodes').selectAll().where('uuid', '=', n.uuid).executeTakeFirstOrThrow();
      const rule = await t.server.ctx.mitigation.create({
        workspaceId: t.admin.workspaceId, adapter: null, node, incident: null, intent: 'firewall',
        spec: { type: 'block_source', target: PUBLIC_HOST, params: { address: PUBLIC_HOST } }, owner: 'policy', reason: 'test', ttlSeconds: 600, tier: 'tier1', dryRun: false,
      });
      assert.equal(rule.status, 'failed');
      assert.match(rule.error ?? '', /public URL host/);
      assert.deepEqual(await stored(n), []);
    });
  });
}
