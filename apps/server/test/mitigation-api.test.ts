// The Mitigation and Allowlist endpoints over a real server and database, with rules carried by
// the webhook adapter to a local receiver that verifies every signed request. What the receiver
// holds is what "announced" means here; the BGP speakers have their own end-to-end tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { startWebhookFake, type WebhookFake } from '@breakwater/mitigation/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

// The fake vendors listen on loopback: granted as an operator would (outbound.adapters).
const FAST = { mitigation: { tickMs: 50, reconcileMs: 60_000, timeoutMs: 1000, maxAttempts: 5 }, outbound: { adapters: { '*': ['loopback' as const] } } };
const VICTIM = '198.18.7.5';

for (const backend of BACKENDS) {
  describe(`mitigation API on ${backend.name}`, () => {
    let t: TestServer;
    let hook: WebhookFake;
    let adapterId: string;
    let viewer: string;
    let operator: string;

    before(async () => {
      t = await startTestServer(backend, FAST);
      hook = await startWebhookFake();
      const v = await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'viewer', 'viewer', null);
      const o = await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'operator', 'operator', null);
      viewer = v.secret;
      operator = o.secret;
      const r = await t.request('POST', '/api/v1/mitigation/adapters', {
        body: { adapter_type: 'webhook', name: 'edge-hook', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, capabilities: ['blackhole', 'flowspec'] },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      adapterId = r.body.data.id;
    });
    after(async () => {
      await t?.stop();
      await hook?.stop();
    });

    const rule = (body: Record<string, unknown>, token?: string) =>
      t.request('POST', '/api/v1/mitigation/rules', { token, body: { adapter_id: adapterId, intent_type: 'blackhole', ...body } });
    const ruleState = async (id: string) => (await t.request('GET', '/api/v1/mitigation/rules/history?limit=500')).body.data.find((x: any) => x.id === id);

    test('adapters: secrets masked, capabilities checked, bad settings named, admin only', async () => {
      const list = await t.request('GET', '/api/v1/mitigation/adapters', { token: viewer });
      assert.equal(list.status, 200);
      const a = list.body.data.find((x: any) => x.id === adapterId);
      assert.equal(a.adapter_type, 'webhook');
      assert.deepEqual(a.capabilities, ['blackhole', 'flowspec']);
      assert.ok(!JSON.stringify(list.body).includes(hook.secret), 'the token never leaves the server');
      assert.match(a.auth_token, /^\*{4}.{4}$/);

      const noUrl = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'x', endpoint: 'not a url', auth_token: 's3cret-s3cret' } });
      assert.equal(noUrl.status, 400);
      assert.match(noUrl.body.error.message, /endpoint/);
      const badHeader = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'x', endpoint: hook.url, auth_token: 's3cret-s3cret', config: { headers: { 'X-Breakwater-Signature': 'forged' } } } });
      assert.equal(badHeader.status, 400);
      assert.match(badHeader.body.error.message, /config\.headers\.X-Breakwater-Signature/);
      const badType = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'juniper', name: 'x', endpoint: 'x' } });
      assert.equal(badType.status, 400);
      assert.equal(errorCode(badType), 'validation_error');
      const asOperator = await t.request('POST', '/api/v1/mitigation/adapters', { token: operator, body: { adapter_type: 'webhook', name: 'x', endpoint: hook.url, auth_token: 'abcdefghijkl' } });
      assert.equal(asOperator.status, 403);

      const tested = await t.request('POST', `/api/v1/mitigation/adapters/${adapterId}/test`, { token: operator });
      assert.equal(tested.status, 200);
      assert.equal(tested.body.data.ok, true, JSON.stringify(tested.body));
      assert.ok(tested.body.data.latency_ms >= 0);

      // A masked token sent back keeps the stored one: the adapter still signs correctly afterwards.
      const put = await t.request('PUT', `/api/v1/mitigation/adapters/${adapterId}`, { body: { adapter_type: 'webhook', name: 'edge-hook', endpoint: `${hook.url}/hooks/breakwater`, auth_token: a.auth_token, capabilities: ['blackhole', 'flowspec'] } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await t.request('POST', `/api/v1/mitigation/adapters/${adapterId}/test`)).body.data.ok, true);
    });

    test('a manual blackhole reaches the receiver with RFC 7999 communities, and withdraw takes it away', async () => {
      const r = await rule({ target_ip: VICTIM, ttl: 600, reason: 'test flood' }, operator);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const created = r.body.data;
      assert.equal(created.status, 'active');
      assert.equal(created.target_ip, `${VICTIM}/32`);
      assert.deepEqual(created.spec.communities, ['65535:666', '65535:65281']);
      assert.equal(created.reason, 'test flood');
      assert.ok(created.owner.length > 0);
      assert.ok(created.expires_at);
      assert.ok(hook.observe().has(`blackhole|${VICTIM}/32`));

      const active = await t.request('GET', '/api/v1/mitigation/rules', { token: viewer });
      assert.ok(active.body.data.some((x: any) => x.id === created.id));
      const again = await rule({ target_ip: VICTIM, ttl: 600 }, operator);
      assert.equal(again.body.data.id, created.id, 'the same announcement through the same adapter is one rule');

      assert.equal((await t.request('DELETE', `/api/v1/mitigation/rules/${created.id}`, { token: viewer })).status, 403);
      const w = await t.request('DELETE', `/api/v1/mitigation/rules/${created.id}`, { token: operator });
      assert.equal(w.status, 200);
      assert.equal(w.body.data.status, 'withdrawn');
      assert.ok(w.body.data.withdrawn_by);
      assert.ok(!hook.observe().has(`blackhole|${VICTIM}/32`));
      assert.equal(hook.problems.length, 0, hook.problems.join('\n'));
      const hist = await t.request('GET', '/api/v1/mitigation/rules/history?limit=10');
      assert.equal(hist.body.data.find((x: any) => x.id === created.id).status, 'withdrawn');
      assert.equal((await t.request('GET', '/api/v1/mitigation/rules')).body.data.some((x: any) => x.id === created.id), false);
    });

    test('FlowSpec rules carry the match and action given', async () => {
      const r = await rule({
        target_ip: '198.18.7.6', intent_type: 'flowspec', ttl: 300,
        match: { protocols: [17], source_ports: [{ from: 123, to: 123 }], packet_length: [{ from: 400, to: 1500 }] }, action: { type: 'rate-limit', bytes_per_second: 125000 },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.data.spec.match, { destination: '198.18.7.6/32', protocols: [17], source_ports: [{ from: 123, to: 123 }], packet_length: [{ from: 400, to: 1500 }] });
      assert.ok([...hook.observe()].some((k) => k.startsWith('flowspec|dst=198.18.7.6/32') && k.includes('sport=123')));
      await t.request('DELETE', `/api/v1/mitigation/rules/${r.body.data.id}`);
    });

    test('bad rules are refused with the key named; scrubbing through an adapter without it is refused', async () => {
      for (const [body, key] of [
        [{ target_ip: 'victim.example' }, 'target_ip'], [{ target_ip: VICTIM, intent_type: 'scrubbing' }, 'intent_type'],
        [{ target_ip: VICTIM, ttl: 40 * 86_400 }, 'ttl'], [{ target_ip: VICTIM, match: { protocols: [6] } }, 'match'],
        [{ target_ip: VICTIM, adapter_id: 'nope' }, 'Adapter'],
      ] as const) {
        const r = await rule(body);
        assert.ok(r.status === 400 || r.status === 404, `${JSON.stringify(body)} → ${r.status}`);
        assert.match(r.body.error.message, new RegExp(key), JSON.stringify(r.body));
      }
      assert.equal(hook.problems.length, 0);
    });

    test('safety: allowlisted targets are never announced; a new entry withdraws what it covers; short blackholes refused', async () => {
      const before = hook.received.length;
      const add = await t.request('POST', '/api/v1/allowlist', { token: operator, body: { ip_address: '198.18.9.0/24', label: 'office' } });
      assert.equal(add.status, 201, JSON.stringify(add.body));
      const refused = await rule({ target_ip: '198.18.9.77' });
      assert.equal(refused.status, 409);
      assert.match(refused.body.error.message, /allowlist entry 198\.18\.9\.0\/24/);
      assert.equal(hook.received.length, before, 'nothing was sent for an allowlisted target');
      const hist = (await t.request('GET', '/api/v1/mitigation/rules/history?limit=50')).body.data;
      assert.ok(hist.some((x: any) => x.target_ip === '198.18.9.77/32' && x.status === 'refused'), 'the refusal is on record');

      const wide = await rule({ target_ip: '198.18.10.0/24' });
      assert.equal(wide.status, 409);
      assert.match(wide.body.error.message, /shorter than \/32/);

      const live = await rule({ target_ip: '198.18.11.4', ttl: 600 });
      assert.equal(live.body.data.status, 'active');
      const cover = await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '198.18.11.0/28' } });
      assert.equal(cover.body.data.withdrawn_rules, 1);
      assert.ok(!hook.observe().has('blackhole|198.18.11.4/32'));
      assert.equal((await ruleState(live.body.data.id)).status, 'withdrawn');

      const list = await t.request('GET', '/api/v1/allowlist', { token: viewer });
      assert.deepEqual(list.body.data.map((e: any) => e.ip_address).sort(), ['198.18.11.0/28', '198.18.9.0/24']);
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '10.0.0.300' } })).status, 400);
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '10.0.0.1', scope: 'node' } })).status, 400);
      assert.equal((await t.request('DELETE', `/api/v1/allowlist/${add.body.data.id}`, { token: viewer })).status, 403);
      assert.equal((await t.request('DELETE', `/api/v1/allowlist/${add.body.data.id}`)).status, 200);
      assert.equal((await t.request('DELETE', `/api/v1/allowlist/${add.body.data.id}`)).status, 404);
    });

    test('a TTL ends on time: the rule expires and the receiver drops it', async () => {
      const r = await rule({ target_ip: '198.18.7.20', ttl: 60 });
      assert.equal(r.body.data.status, 'active');
      t.clock.advance(59_000);
      await t.server.mitigation.tick(); // a full pass at 59 s: not yet due
      assert.equal((await ruleState(r.body.data.id)).status, 'active');
      t.clock.advance(2_000);
      await waitFor('rule expired', async () => (await ruleState(r.body.data.id)).status === 'expired');
      assert.ok(!hook.observe().has('blackhole|198.18.7.20/32'));
      assert.match((await ruleState(r.body.data.id)).withdraw_reason, /TTL/);
    });

    test('a receiver that fails is retried until it takes the rule; the failure is visible meanwhile', async () => {
      hook.mode = 'server_error';
      const r = await rule({ target_ip: '198.18.7.30', ttl: 600 });
      assert.equal(r.status, 200);
      assert.equal(r.body.data.status, 'pending');
      assert.match(r.body.data.error, /503|unavailable/);
      hook.mode = 'ok';
      await waitFor('rule announced after retry', async () => (await ruleState(r.body.data.id)).status === 'active', 8000);
      assert.ok(hook.observe().has('blackhole|198.18.7.30/32'));
      await t.request('DELETE', `/api/v1/mitigation/rules/${r.body.data.id}`);
    });

    test('the cap on active rules per adapter holds', async () => {
      const a = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'capped', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, max_active_rules: 1 } });
      const first = await rule({ adapter_id: a.body.data.id, target_ip: '198.18.7.40', ttl: 600 });
      assert.equal(first.body.data.status, 'active');
      const second = await rule({ adapter_id: a.body.data.id, target_ip: '198.18.7.41', ttl: 600 });
      assert.equal(second.status, 409);
      assert.match(second.body.error.message, /cap of 1/);
      // Deleting the adapter withdraws what it carries first.
      const del = await t.request('DELETE', `/api/v1/mitigation/adapters/${a.body.data.id}`);
      assert.equal(del.status, 200);
      assert.equal(del.body.data.withdrawn_rules, 1);
      assert.ok(!hook.observe().has('blackhole|198.18.7.40/32'));
    });

    test('another workspace sees none of it', async () => {
      const other = await t.addWorkspace();
      const live = await rule({ target_ip: '198.18.7.50', ttl: 600 });
      assert.equal((await t.request('GET', '/api/v1/mitigation/rules', { token: other.apiToken })).body.data.length, 0);
      assert.equal((await t.request('GET', '/api/v1/mitigation/adapters', { token: other.apiToken })).body.data.length, 0);
      assert.equal((await t.request('DELETE', `/api/v1/mitigation/rules/${live.body.data.id}`, { token: other.apiToken })).status, 404);
      assert.equal((await t.request('POST', `/api/v1/mitigation/adapters/${adapterId}/test`, { token: other.apiToken })).status, 404);
      assert.equal((await t.request('POST', '/api/v1/mitigation/rules', { token: other.apiToken, body: { adapter_id: adapterId, intent_type: 'blackhole', target_ip: '198.18.7.51' } })).status, 404);
      await t.request('DELETE', `/api/v1/mitigation/rules/${live.body.data.id}`);
    });
  });
}
