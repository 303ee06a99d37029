// The agent push channel (GET /api/v1/agent/stream): node-key auth before the upgrade,
// each queued command pushed at once to its own node only, in GET config's shape.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';

/** A raw upgrade request: the HTTP status when refused, 101 when upgraded. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    // a fresh connection each time: a refused upgrade may leave the socket unusable
    const req = request({
      agent: false, host: u.hostname, port: u.port, path: '/api/v1/agent/stream',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Client {
  messages: any[];
  ws: WebSocket;
}

function connect(t: TestServer, node: { uuid: string; key: string }): Client {
  const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/api/v1/agent/stream`, {
    headers: { authorization: `Bearer ${node.key}`, 'x-node-uuid': node.uuid },
  });
  const c: Client = { messages: [], ws };
  ws.onmessage = (ev) => c.messages.push(JSON.parse(String(ev.data)));
  return c;
}

const commandsOf = (c: Client) => c.messages.filter((m) => m.type === 'command').map((m) => m.command);

for (const backend of BACKENDS) {
  describe(`agent stream on ${backend.name}`, () => {
    let t: TestServer;
    let subscribed = 0;
    before(async () => {
      t = await startTestServer(backend);
      // counts live subscriptions, to see the socket's listener go away on close
      const service = t.server.ctx.commands;
      const onQueued = service.onQueued.bind(service);
      service.onQueued = (listener) => {
        subscribed++;
        const off = onQueued(listener);
        return () => {
          subscribed--;
          return off();
        };
      };
    });
    after(async () => t.stop());

    test('the upgrade is refused without the node key, with a wrong key, or with another node’s uuid', async () => {
      const a = await t.deploy(t.admin);
      const b = await t.deploy(t.admin);
      assert.equal(await upgradeStatus(t.url, {}), 401);
      assert.equal(await upgradeStatus(t.url, { authorization: `Bearer ${'0'.repeat(64)}`, 'x-node-uuid': a.uuid }), 401);
      assert.equal(await upgradeStatus(t.url, { authorization: `Bearer ${a.key}`, 'x-node-uuid': b.uuid }), 401);
      assert.equal(await upgradeStatus(t.url, { authorization: `Bearer ${a.key}`, 'x-node-uuid': a.uuid }), 101);
    });

    test('a queued command is pushed at once to its node, in GET config’s shape, and never to another node', async () => {
      const a = await t.deploy(t.admin);
      const b = await t.deploy(t.admin);
      const ca = connect(t, a);
      const cb = connect(t, b);
      try {
        await waitFor('both sockets greeted', () => ca.messages[0]?.type === 'hello' && cb.messages[0]?.type === 'hello');
        assert.equal(ca.messages[0].node_uuid, a.uuid);
        const queued = await t.request('POST', `/api/agents/${a.uuid}/commands`, { body: { type: 'block_source', params: { address: '198.51.100.7', ttl: 300 } } });
        assert.equal(queued.status, 200);
        const pushed = await waitFor('command pushed to node a', () => commandsOf(ca)[0], 2000, 5);
        assert.equal(`cmd_${pushed.id}`, queued.body.command_id);
        const config = await t.agent(a, 'GET', '/config');
        assert.deepEqual(pushed, config.body.pending_commands.find((c: { id: number }) => c.id === pushed.id), 'the same object as the config poll gives');
        assert.deepEqual(pushed.payload, { type: 'block_source', params: { address: '198.51.100.7', ttl: 300 } });
        // b's own command arrives after a's was sent: had a's leaked to b, b would hold it first
        await t.request('POST', `/api/agents/${b.uuid}/commands`, { body: { type: 'drop_port', params: { protocol: 'udp', port: 123 } } });
        await waitFor('command pushed to node b', () => commandsOf(cb).length > 0);
        assert.deepEqual(commandsOf(cb).map((c) => c.payload.type), ['drop_port']);
        assert.deepEqual(commandsOf(ca).map((c) => c.payload.type), ['block_source']);
      } finally {
        ca.ws.close();
        cb.ws.close();
      }
      await waitFor('both subscriptions released on close', () => subscribed === 0);
    });

    test('commands still pending are sent on (re)connect; closing the socket ends its subscription', async () => {
      const a = await t.deploy(t.admin);
      await waitFor('no socket left from earlier tests', () => subscribed === 0);
      const before = subscribed;
      const queued = await t.request('POST', `/api/agents/${a.uuid}/commands`, { body: { type: 'drop_protocol', params: { protocol: 'icmp' } } });
      const c = connect(t, a);
      await waitFor('pending command sent on connect, then the hello', () => c.messages.some((m) => m.type === 'hello'));
      assert.equal(commandsOf(c).length, 1);
      assert.equal(`cmd_${commandsOf(c)[0].id}`, queued.body.command_id);
      assert.equal(subscribed, before + 1);
      // acknowledged: no longer pending, so the next connection does not get it
      assert.equal((await t.agent(a, 'POST', '/commands/ack', { command_id: queued.body.command_id, status: 'applied' })).status, 200);
      c.ws.close();
      await waitFor('subscription released on close', () => subscribed === before);
      const again = connect(t, a);
      try {
        await waitFor('greeted again', () => again.messages.some((m) => m.type === 'hello'));
        // a fresh command proves the socket works; the acknowledged one must not precede it
        await t.request('POST', `/api/agents/${a.uuid}/commands`, { body: { type: 'drop_port', params: { protocol: 'tcp', port: 23 } } });
        await waitFor('new command pushed', () => commandsOf(again).length > 0);
        assert.deepEqual(commandsOf(again).map((x) => x.payload.type), ['drop_port']);
      } finally {
        again.ws.close();
      }
    });
  });
}
