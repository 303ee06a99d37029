// A flow node is a node: the escalation policy blackholes its address through an adapter when the
// collector's incident for it crosses a tier, and the allowlist keeps another flow node's address
// untouched — with no change to mitigation for flows. Rules reach a local webhook receiver that
// verifies each request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { startWebhookFake, type WebhookFake } from '@breakwater/mitigation/testing';
import { startTestServer, type TestServer } from './harness.ts';

const FAST = { mitigation: { tickMs: 50, reconcileMs: 60_000, timeoutMs: 1000, maxAttempts: 3 }, outbound: { channels: { '*': ['loopback' as const] }, adapters: { '*': ['loopback' as const] } } };

for (const backend of BACKENDS) {
  describe(`mitigation of flow nodes on ${backend.name}`, () => {
    let t: TestServer;
    let hook: WebhookFake;
    before(async () => {
      t = await startTestServer(backend, FAST);
      hook = await startWebhookFake();
    });
    after(async () => {
      await t?.stop();
      await hook?.stop();
    });

    test('a collector\'s incident on a protected address is blackholed by policy; an allowlisted one is not', async () => {
      const a = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'upstream', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret } });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      const p = await t.request('PUT', '/api/v1/mitigation/escalation-policy', { body: { thresholds: [{ name: 'rtbh', pps: 10_000, action: 'blackhole', adapter_id: a.body.data.id }], hold_down_seconds: 0, dry_run: false } });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const c = await t.deploy(t.admin, 'edge-collector', '192.0.2.1');
      assert.equal((await t.agent(c, 'POST', '/collector', { networks: ['203.0.113.0/24'] })).status, 200);
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '203.0.113.8', label: 'our resolver' } })).status, 201);
      const open = (host: string) => t.agent(c, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 90_000, peak_bps: 7e8, started_at: new Date(t.clock.now()).toISOString() }, { 'x-flow-host': host });
      const hit = await open('203.0.113.7');
      assert.equal(hit.status, 200, JSON.stringify(hit.body));
      await waitFor('blackhole announced for the flow node\'s address', () => hook.observe().has('blackhole|203.0.113.7/32'), 10_000, 50);
      const spared = await open('203.0.113.8');
      assert.equal(spared.status, 200);
      await t.server.autoMitigator.idle();
      const rules = (await t.request('GET', `/api/v1/mitigation/rules/history?incident=${spared.body.uuid}`)).body.data as { status: string }[];
      assert.ok(rules.every((r) => r.status === 'refused'), `allowlisted: ${JSON.stringify(rules)}`);
      assert.ok(!hook.observe().has('blackhole|203.0.113.8/32'));
      await t.agent(c, 'POST', `/incidents/${hit.body.uuid}/resolve`, { duration_seconds: 5 }, { 'x-flow-host': '203.0.113.7' });
      await waitFor('withdrawn after the resolve', () => !hook.observe().has('blackhole|203.0.113.7/32'), 10_000, 50);
    });

    test('a firewall tier on a flow node is recorded as refused, with the reason, and queues no command (no agent runs there)', async () => {
      const p = await t.request('PUT', '/api/v1/mitigation/escalation-policy', { body: { thresholds: [{ name: 'fw', pps: 10_000, action: 'firewall' }], hold_down_seconds: 0, dry_run: false } });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const c = await t.deploy(t.admin, 'edge-collector-fw', '192.0.2.2');
      assert.equal((await t.agent(c, 'POST', '/collector', { networks: ['198.51.100.0/24'] })).status, 200);
      const hit = await t.agent(c, 'POST', '/incidents', { attack_family: 'syn_flood', peak_pps: 90_000, peak_bps: 7e7, started_at: new Date(t.clock.now()).toISOString(), top_src_ips: [{ ip: '192.0.2.77', count: 50_000 }] }, { 'x-flow-host': '198.51.100.9' });
      assert.equal(hit.status, 200, JSON.stringify(hit.body));
      await t.server.autoMitigator.idle();
      const rules = (await t.request('GET', `/api/v1/mitigation/rules/history?incident=${hit.body.uuid}`)).body.data as { status: string; intent_type: string; error?: string | null }[];
      assert.ok(rules.length > 0, 'the tier left a record');
      assert.ok(rules.every((r) => r.intent_type === 'firewall' && r.status === 'refused'), JSON.stringify(rules));
      assert.match(JSON.stringify(rules), /no agent runs there/);
      const nodes = (await t.request('GET', '/api/v1/nodes?limit=100')).body.data as { uuid: string; ip: string }[];
      const flow = nodes.find((n) => n.ip === '198.51.100.9');
      assert.ok(flow, 'the flow node exists');
      const cmds = (await t.request('GET', `/api/agents/${flow.uuid}/commands`)).body as unknown[];
      assert.equal(cmds.length, 0, 'no command queued for the flow node');
    });
  });
}
