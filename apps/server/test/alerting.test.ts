// Alerting through the durable outbox: every incident event reaches the channels that
// want it, once; failures are retried; a restart delivers what was left; routing,
// maintenance windows and pacing hold.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createServer, resolveConfig } from '../src/index.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { Receiver } from './receiver.ts';

const SECRET = 'a-webhook-secret-of-32-characters!';
// The fake providers listen on loopback: granted as an operator would (outbound.channels).
const FAST = { outbox: { pollMs: 50, backoffBaseMs: 100, backoffMaxMs: 400, perChannelIntervalMs: 0, maxAttempts: 5 }, notifyTimeoutMs: 400, outbound: { channels: { '*': ['loopback' as const] } } };

async function webhook(t: TestServer, url: string, extra: Record<string, unknown> = {}, token?: string) {
  const r = await t.request('POST', '/api/v1/channels', { token, body: { name: `hook-${Math.random()}`, type: 'webhook', config: { url, secret: SECRET }, ...extra } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data.id as string;
}

/** The outbox has nothing left to send: every delivery is delivered, failed or suppressed. */
async function settled(db: TestServer['server']['ctx']['db']): Promise<true | undefined> {
  const open = await db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
  return open.length === 0 ? true : undefined;
}

const history = async (t: TestServer, channel: string) => (await t.request('GET', `/api/v1/channels/${channel}/deliveries?limit=100`)).body.data as any[];

for (const backend of BACKENDS) {
  describe(`alerting on ${backend.name}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });
    const server = async (extra = {}) => {
      const t = await startTestServer(backend, { ...FAST, ...extra } as never);
      cleanup.push(() => t.stop());
      return t;
    };
    const receiver = async (...script: ('ok' | 'hang' | number)[]) => {
      const r = await new Receiver(SECRET).script(...script).start();
      cleanup.push(() => r.stop());
      return r;
    };

    test('opened, escalated and resolved each arrive once, signed, and the history shows them', async () => {
      const t = await server();
      const rx = await receiver();
      const ch = await webhook(t, rx.url);
      const node = await t.deploy(t.admin, 'web-1');
      const open = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', severity: 'low', peak_pps: 1000 });
      await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 2000 }); // a retry of the open: no new message
      await t.agent(node, 'POST', `/incidents/${open.body.uuid}`, { severity: 'high' });
      await t.agent(node, 'POST', `/incidents/${open.body.uuid}`, { severity: 'medium' }); // not an escalation
      await t.agent(node, 'POST', `/incidents/${open.body.uuid}/resolve`, { duration_seconds: 30 });
      await waitFor('three messages', () => rx.received.length >= 3, 5000);
      await waitFor('outbox settled', () => settled(t.server.ctx.db), 5000); // and no fourth is on its way
      assert.deepEqual(rx.received.map((m) => m.event), ['incident.opened', 'incident.escalated', 'incident.resolved']);
      assert.ok(rx.received.every((m) => m.signatureOk && m.body.incident.uuid === open.body.uuid && m.body.incident.node_name === 'web-1'));
      assert.equal(rx.received[1]!.body.incident.severity, 'high');
      const h = await history(t, ch);
      assert.deepEqual(h.map((d) => [d.event, d.status, d.attempts]).reverse(), [['incident.opened', 'delivered', 1], ['incident.escalated', 'delivered', 1], ['incident.resolved', 'delivered', 1]]);
      assert.equal(h[0].attempts_log[0].outcome, 'delivered');
    });

    test('a provider answering 500, then hanging, is retried with backoff and succeeds later', async () => {
      const t = await server();
      const rx = await receiver(500, 'hang', 'ok');
      const ch = await webhook(t, rx.url);
      const node = await t.deploy(t.admin);
      const started = Date.now();
      const open = await t.agent(node, 'POST', '/incidents', { attack_family: 'syn_flood', severity: 'high' });
      assert.ok(Date.now() - started < 400, 'the agent’s report does not wait for delivery');
      await waitFor('delivery after retries', () => rx.received.length === 1, 8000);
      const d = (await history(t, ch))[0];
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts, 3);
      assert.deepEqual(d.attempts_log.map((a: any) => [a.outcome, a.status_code]), [['retry', 500], ['retry', null], ['delivered', 200]]);
      assert.equal(rx.received[0]!.body.incident.uuid, open.body.uuid);
    });

    test('a hanging channel holds back neither the incident pipeline nor other channels', async () => {
      const t = await server({ notifyTimeoutMs: 3000 });
      const stuck = await receiver('hang', 'hang', 'hang');
      const healthy = await receiver();
      await webhook(t, stuck.url);
      await webhook(t, healthy.url);
      const node = await t.deploy(t.admin);
      await t.agent(node, 'POST', '/incidents', { attack_family: 'icmp_flood', severity: 'medium' });
      await waitFor('healthy channel delivered', () => healthy.received.length === 1, 1500);
    });

    test('a permanent refusal (401) is not retried; after the attempt limit a failing channel gives up', async () => {
      const t = await server();
      const refusing = await receiver(401);
      const broken = await receiver(503, 503, 503, 503, 503, 503, 503);
      const a = await webhook(t, refusing.url);
      const b = await webhook(t, broken.url);
      const node = await t.deploy(t.admin);
      await t.agent(node, 'POST', '/incidents', { attack_family: 'dns_flood', severity: 'critical' });
      await waitFor('both settled', async () => (await history(t, a))[0]?.status === 'failed' && (await history(t, b))[0]?.status === 'failed', 8000);
      assert.equal((await history(t, a))[0].attempts, 1);
      assert.equal((await history(t, b))[0].attempts, 5);
      assert.match((await history(t, a))[0].last_error, /unauthorized/);
    });

    test('routing: minimum severity, node and tag filters, events; maintenance windows suppress', async () => {
      const t = await server();
      const ws = await t.addWorkspace();
      const all = await receiver();
      const highOnly = await receiver();
      const byTag = await receiver();
      const resolvedOnly = await receiver();
      const tagged = await t.request('POST', '/api/v1/nodes', { token: ws.apiToken, body: { name: 'game-1', ip: '192.0.2.50', tags: ['game'] } });
      const plain = await t.deploy(ws, 'web-2');
      const gameNode = { uuid: tagged.body.data.uuid as string, key: tagged.body.data.api_key as string };
      await webhook(t, all.url, {}, ws.apiToken);
      await webhook(t, highOnly.url, { min_severity: 'high' }, ws.apiToken);
      await webhook(t, byTag.url, { filters: { tags: ['game'] } }, ws.apiToken);
      await webhook(t, resolvedOnly.url, { filters: { events: ['incident.resolved'], nodes: [plain.uuid] } }, ws.apiToken);
      const low = await t.agent(plain, 'POST', '/incidents', { attack_family: 'udp_flood', severity: 'low' });
      await t.agent(gameNode, 'POST', '/incidents', { attack_family: 'udp_flood', severity: 'critical' });
      await t.agent(plain, 'POST', `/incidents/${low.body.uuid}/resolve`, {});
      await waitFor('routed', () => all.received.length === 3 && resolvedOnly.received.length === 1 && byTag.received.length === 1 && highOnly.received.length === 1, 5000);
      await waitFor('outbox settled', () => settled(t.server.ctx.db), 5000);
      assert.deepEqual([all, highOnly, byTag, resolvedOnly].map((r) => r.received.length), [3, 1, 1, 1]);
      assert.equal(highOnly.received[0]!.body.incident.severity, 'critical');
      assert.equal(byTag.received[0]!.body.incident.node_name, 'game-1');
      assert.equal(resolvedOnly.received[0]!.event, 'incident.resolved');
      // a maintenance window over web-2: its next incident notifies nobody, and says why
      const now = Date.now();
      const mw = await t.request('POST', '/api/v1/maintenance-windows', { token: ws.apiToken, body: { name: 'kernel upgrade', starts_at: new Date(now - 60_000).toISOString(), ends_at: new Date(now + 3_600_000).toISOString(), nodes: [plain.uuid] } });
      assert.equal(mw.status, 201);
      const before = all.received.length;
      await t.agent(plain, 'POST', '/incidents', { attack_family: 'syn_flood', severity: 'critical' });
      await t.agent(gameNode, 'POST', '/incidents', { attack_family: 'syn_flood', severity: 'critical' }); // not covered
      await waitFor('game-1 delivered', () => all.received.length === before + 1, 5000);
      await waitFor('outbox settled', () => settled(t.server.ctx.db), 5000);
      assert.equal(all.received.length, before + 1);
      assert.equal(all.received.at(-1)!.body.incident.node_name, 'game-1');
      const channelsList = (await t.request('GET', '/api/v1/channels', { token: ws.apiToken })).body.data;
      const hist = (await t.request('GET', `/api/v1/channels/${channelsList[0].id}/deliveries?status=suppressed`, { token: ws.apiToken })).body.data;
      assert.equal(hist.length, 1);
      assert.match(hist[0].last_error, /maintenance window "kernel upgrade"/);
      const bad = await t.request('POST', '/api/v1/maintenance-windows', { token: ws.apiToken, body: { name: 'x', starts_at: new Date(now).toISOString(), ends_at: new Date(now - 1).toISOString() } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^ends_at: must be after starts_at/);
    });

    test('per-channel pacing: messages to one channel are spaced by its interval', async () => {
      const t = await server({ outbox: { ...FAST.outbox, perChannelIntervalMs: 200 } });
      const rx = await receiver();
      await webhook(t, rx.url);
      const node = await t.deploy(t.admin);
      for (const family of ['udp_flood', 'syn_flood', 'icmp_flood']) await t.agent(node, 'POST', '/incidents', { attack_family: family, severity: 'low' });
      await waitFor('three', () => rx.received.length === 3, 5000);
      const gaps = rx.received.slice(1).map((m, i) => m.at - rx.received[i]!.at);
      assert.ok(gaps.every((g) => g >= 180), `gaps ${gaps.join(',')}`);
    });

    test('update and send-test: masked secrets are kept, the test message goes through the outbox', async () => {
      const t = await server();
      const rx = await receiver();
      const ch = await webhook(t, 'http://127.0.0.1:9/nowhere');
      const listed = (await t.request('GET', '/api/v1/channels')).body.data.find((c: any) => c.id === ch);
      assert.ok(!JSON.stringify(listed).includes(SECRET));
      const up = await t.request('PATCH', `/api/v1/channels/${ch}`, { body: { config: { ...listed.config, url: rx.url }, min_severity: 'medium' } });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal(up.body.data.min_severity, 'medium');
      const sent = await t.request('POST', `/api/v1/channels/${ch}/test`);
      assert.equal(sent.status, 202);
      await waitFor('test message', () => rx.received.length === 1, 5000);
      assert.equal(rx.received[0]!.event, 'test');
      assert.ok(rx.received[0]!.signatureOk, 'the stored secret was kept, so the signature verifies');
      const bad = await t.request('PATCH', `/api/v1/channels/${ch}`, { body: { config: { url: 'not a url' } } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^config\.url: /);
      const viewer = await t.request('POST', `/api/v1/channels/${ch}/test`, { token: null });
      assert.equal(viewer.status, 401);
    });

    test('SMS: a retry after a partial failure texts only the recipients not reached yet', async () => {
      const t = await server();
      const texts: string[] = [];
      let failedOnce = false;
      const telnyx = createHttpServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString()));
        req.on('end', () => {
          const body = JSON.parse(raw) as { to: string };
          if (req.url !== '/v2/messages' || req.headers.authorization !== 'Bearer KEY-telnyx-123') return void res.writeHead(401).end();
          if (body.to === '+15550000002' && !failedOnce) {
            failedOnce = true;
            return void res.writeHead(500).end('{"errors":[{"title":"temporary"}]}');
          }
          texts.push(body.to);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"id":"msg-1"}}');
        });
      });
      await new Promise<void>((r) => telnyx.listen(0, '127.0.0.1', r));
      cleanup.push(() => new Promise((r) => telnyx.close(() => r())));
      const port = (telnyx.address() as AddressInfo).port;
      const noSender = await t.request('POST', '/api/v1/channels', { body: { name: 'sms', type: 'sms', config: { api_url: `http://127.0.0.1:${port}`, api_key: 'KEY-telnyx-123', to: ['+15550000001'] } } });
      assert.equal(noSender.status, 400, 'Telnyx needs a sender: refused when the channel is created, not at the first attack');
      assert.match(noSender.body.error.message, /from/);
      const r = await t.request('POST', '/api/v1/channels', { body: { name: 'sms', type: 'sms', config: { api_url: `http://127.0.0.1:${port}`, api_key: 'KEY-telnyx-123', from: '+15550009999', to: ['+15550000001', '+15550000002'] } } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const node = await t.deploy(t.admin);
      await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', severity: 'critical' });
      await waitFor('both recipients', () => texts.length === 2, 5000);
      await waitFor('outbox settled', () => settled(t.server.ctx.db), 5000);
      assert.deepEqual(texts, ['+15550000001', '+15550000002']); // the first recipient was not texted twice
      assert.equal((await history(t, r.body.data.id))[0].attempts, 2);
    });

    test('a server restart with undelivered messages delivers them after start, once', async () => {
      const env = await backend.setup();
      cleanup.push(env.cleanup);
      const rx = await new Receiver(SECRET).start();
      const port = Number(new URL(rx.url).port);
      await rx.stop(); // the provider is down while the incident happens
      const config = resolveConfig({ port: 0, dataDir: env.dataDir, databaseUrl: env.databaseUrl, logLevel: 'silent', ...FAST, outbox: { ...FAST.outbox, backoffBaseMs: 200, maxAttempts: 50 } });
      const first = await createServer(config).start({ bootstrapIfEmpty: true });
      const b = first.bootstrapped!;
      const api = (path: string, body: unknown, token: string, extra: Record<string, string> = {}) =>
        fetch(first.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) }).then(async (r) => (await r.json()) as any);
      await api('/api/v1/channels', { name: 'down', type: 'webhook', config: { url: `http://127.0.0.1:${port}/hook`, secret: SECRET } }, b.api_token);
      const dep = await api('/api/deploy', { name: 'n1', ip: '192.0.2.1' }, b.deploy_token);
      const inc = await api('/api/v1/agent/incidents', { attack_family: 'udp_flood', severity: 'high' }, dep.api_key, { 'x-node-uuid': dep.node_uuid });
      await waitFor('a failed attempt', async () => ((await first.ctx.db.selectFrom('delivery_attempts').selectAll().execute()).length >= 1 ? true : undefined), 5000);
      await first.stop();
      const back = await new Receiver(SECRET).start(port);
      cleanup.push(() => back.stop());
      const second = await createServer(config).start();
      cleanup.push(() => second.stop());
      await waitFor('delivered after restart', () => back.received.length === 1, 8000);
      await waitFor('outbox settled', () => settled(second.ctx.db), 5000);
      assert.equal(back.received.length, 1);
      assert.equal(back.received[0]!.body.incident.uuid, inc.uuid);
    });
  });
}
