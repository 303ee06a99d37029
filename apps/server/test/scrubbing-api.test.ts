// The Scrubbing endpoints against a local Cloudflare API that checks every request as Cloudflare
// documents it: integrations CRUD with bad input named by key, masking and kept credentials, RBAC
// and workspace isolation, audit; test with latency; announce → propagating → diverting, withdraw →
// withdrawing → idle on the provider's documented times (the server's clock, shared with the fake);
// the flap guard; the allowlist; dry-run; a 429 with Retry-After honoured; secrets never in a reply.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { audit } from '@breakwater/db';
import { startCloudflareFake, type CloudflareFake } from '@breakwater/scrubbing/testing';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

const MIN = 60_000;
const CONFIG = {
  scrubbing: { tickMs: 30, pollMs: 1000, reconcileMs: 3_600_000, timeoutMs: 2000, maxAttempts: 5 },
  outbound: { scrubbing: { cloudflare_magic_transit: ['loopback' as const] }, adapters: {}, channels: {} },
};

for (const backend of BACKENDS) {
  describe(`scrubbing API on ${backend.name}`, () => {
    let t: TestServer;
    let cf: CloudflareFake;
    let viewer: string;
    let operator: string;
    let id: string;
    const cfg = (over: Record<string, unknown> = {}) => ({ api_token: cf.token, account_id: cf.accountId, prefixes: [{ cidr: '198.51.100.0/24' }, { cidr: '203.0.113.0/24' }], api_url: cf.url, ...over });
    const create = (body: Record<string, unknown>, token?: string) => t.request('POST', '/api/v1/scrubbing', { body, token });
    const replies: string[] = [];
    const req = async (method: string, path: string, opts: { body?: unknown; token?: string } = {}) => {
      const r = await t.request(method, path, opts);
      replies.push(JSON.stringify(r.body));
      return r;
    };
    const settle = async (what: string, state: string) => waitFor(what, async () => {
      const r = await req('GET', `/api/v1/scrubbing/${id}`);
      return r.body.data.active_diversions.some((d: any) => d.state === state) || (state === 'idle' && r.body.data.active_diversions.length === 0);
    });

    before(async () => {
      t = await startTestServer(backend, CONFIG);
      cf = await startCloudflareFake({ prefixes: [{ cidr: '198.51.100.0/24' }, { cidr: '203.0.113.0/24' }], clock: { now: () => t.clock.now(), advance: (ms) => t.clock.advance(ms) } });
      viewer = (await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'viewer', 'viewer', null)).secret;
      operator = (await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'operator', 'operator', null)).secret;
    });
    after(async () => {
      await t?.stop();
      await cf?.stop();
    });

    test('bad input is a 400 naming the key; nothing is stored', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ integration_type: 'akamai', name: 'x', config: {} }, /integration_type/],
        [{ integration_type: 'cloudflare_magic_transit', name: '', config: cfg() }, /name/],
        [{ integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg({ account_id: 'nope' }) }, /^config\.account_id: /],
        [{ integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg({ api_token: undefined }) }, /^config\.api_token/],
        [{ integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg({ prefixes: [{ cidr: '198.51.100.7/24' }] }) }, /^config\.prefixes\[0\]\.cidr/],
        [{ integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg(), colour: 'red' }, /colour/],
        // the outbound policy: loopback is granted to this type only
        [{ integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg({ api_url: 'http://10.1.2.3:8080/client/v4' }) }, /^config\.api_url: .*scrubbing\.cloudflare_magic_transit=loopback,private/],
        [{ integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg({ api_url: 'http://169.254.169.254/latest' }) }, /^config\.api_url: /],
      ];
      for (const [body, want] of cases) {
        const r = await create(body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(errorCode(r), 'validation_error');
        assert.match(r.body.error.message, want, r.body.error.message);
        assert.ok(!r.body.error.message.includes(cf.token), 'the token is never repeated');
      }
      assert.equal((await t.request('GET', '/api/v1/scrubbing')).body.data.length, 0);
    });

    test('create, read masked, update keeping the masked token, RBAC and workspace isolation, audit', async () => {
      assert.equal((await create({ integration_type: 'cloudflare_magic_transit', name: 'cf', config: cfg() }, operator)).status, 403, 'operators do not manage integrations');
      const c = await req('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_magic_transit', name: 'Cloudflare MT', config: cfg() } });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      id = c.body.data.id;
      assert.match(c.body.data.config.api_token, /^\*{4}/);
      assert.equal(c.body.data.config.account_id, cf.accountId);
      assert.deepEqual(c.body.data.targets, ['198.51.100.0/24', '203.0.113.0/24']);
      assert.equal(c.body.data.capabilities.mechanism, 'bgp_advertisement');
      assert.equal(c.body.data.state, 'idle');
      assert.equal(c.body.data.diverting, false);

      const list = await req('GET', '/api/v1/scrubbing', { token: viewer });
      assert.equal(list.status, 200);
      assert.equal(list.body.data[0].id, id);
      // PUT with the mask sent back keeps the stored token: the test still authenticates.
      const put = await req('PUT', `/api/v1/scrubbing/${id}`, { body: { integration_type: 'cloudflare_magic_transit', name: 'Cloudflare MT edge', config: { ...c.body.data.config } } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.data.name, 'Cloudflare MT edge');
      const tested = await req('POST', `/api/v1/scrubbing/${id}/test`, { token: operator });
      assert.equal(tested.status, 200);
      assert.equal(tested.body.data.ok, true, JSON.stringify(tested.body));
      assert.equal(tested.body.data.health, 'ok');
      assert.ok(tested.body.data.latency_ms >= 0);
      const patch = await req('PATCH', `/api/v1/scrubbing/${id}`, { body: { name: 'Cloudflare' } });
      assert.equal(patch.body.data.name, 'Cloudflare');
      assert.equal((await t.request('PATCH', `/api/v1/scrubbing/${id}`, { body: { config: { prefixes: 'all' } } })).status, 400);

      for (const [method, path, token] of [['POST', `/api/v1/scrubbing/${id}/test`, viewer], ['POST', `/api/v1/scrubbing/${id}/announce`, viewer], ['POST', `/api/v1/scrubbing/${id}/withdraw`, viewer], ['PUT', `/api/v1/scrubbing/${id}`, operator], ['DELETE', `/api/v1/scrubbing/${id}`, operator]] as const) {
        const r = await t.request(method, path, { token, body: method === 'PUT' ? { integration_type: 'cloudflare_magic_transit', name: 'x', config: cfg() } : {} });
        assert.equal(r.status, 403, `${method} ${path}`);
      }
      assert.equal((await t.request('GET', '/api/v1/scrubbing', { token: null })).status, 401);
      assert.equal((await t.request('POST', `/api/v1/scrubbing/${id}/announce`, { token: null, body: { target: 5 } })).status, 401, 'credentials before body validation');

      const other = await t.addWorkspace();
      assert.equal((await t.request('GET', `/api/v1/scrubbing/${id}`, { token: other.apiToken })).status, 404);
      assert.equal((await t.request('GET', `/api/v1/scrubbing/${id}/status`, { token: other.apiToken })).status, 404);
      assert.equal((await t.request('POST', `/api/v1/scrubbing/${id}/announce`, { token: other.apiToken, body: {} })).status, 404);
      assert.equal((await t.request('DELETE', `/api/v1/scrubbing/${id}`, { token: other.apiToken })).status, 404);
      assert.deepEqual((await t.request('GET', '/api/v1/scrubbing', { token: other.apiToken })).body.data, []);

      const actions = (await audit.listAudit(t.server.ctx.db, t.admin.workspaceId, 50, 0)).map((a) => a.action);
      for (const a of ['scrubbing.integration.create', 'scrubbing.integration.update', 'scrubbing.integration.test']) assert.ok(actions.includes(a), a);
    });

    test('a wrong token: test says auth_failed, with no secret in the reply', async () => {
      const bad = await req('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_magic_transit', name: 'wrong token', config: cfg({ api_token: 'cf-wrong-token-0123456789abcdefgh' }) } });
      const r = await req('POST', `/api/v1/scrubbing/${bad.body.data.id}/test`);
      assert.equal(r.body.data.ok, false);
      assert.equal(r.body.data.health, 'auth_failed');
      assert.ok(!JSON.stringify(r.body).includes('cf-wrong-token'), 'neither the token sent');
      assert.equal((await req('DELETE', `/api/v1/scrubbing/${bad.body.data.id}`)).status, 200);
    });

    test('announce → propagating → diverting; an early withdraw waits for the provider; withdrawing → idle; history', async () => {
      const a = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.77', reason: 'UDP flood on the edge', ttl: 3600 } });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(a.body.data.target, '198.51.100.0/24', 'the onboarded prefix covering the address');
      assert.equal(a.body.data.state, 'propagating');
      assert.equal(a.body.data.owner_kind, 'user');
      assert.match(a.body.data.owner, /^token:/);
      assert.ok(cf.prefixByCidr('198.51.100.0/24')!.advertised, 'advertised at Cloudflare');
      const again = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.9' } });
      assert.equal(again.body.data.id, a.body.data.id, 'one diversion per target');

      const early = await req('POST', `/api/v1/scrubbing/${id}/withdraw`, { token: operator, body: { target: '198.51.100.0/24', reason: 'false alarm' } });
      assert.equal(early.status, 200);
      assert.equal(early.body.data.diversions[0].state, 'propagating', 'the flap guard holds it');
      assert.equal(Date.parse(early.body.data.diversions[0].withdraw_after) - Date.parse(a.body.data.requested_at), 7 * MIN);
      assert.ok(cf.prefixByCidr('198.51.100.0/24')!.advertised, 'still advertised');

      const st = await req('GET', `/api/v1/scrubbing/${id}/status`, { token: viewer });
      assert.equal(st.status, 200);
      assert.equal(st.body.data.provider.find((s: any) => s.target === '198.51.100.0/24').state, 'propagating');
      assert.equal(st.body.data.health, 'ok');

      t.clock.advance(7 * MIN);
      await settle('withdrawn after the guard', 'withdrawing');
      await waitFor('withdrawn at Cloudflare', () => !cf.prefixByCidr('198.51.100.0/24')!.advertised);
      const back = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.77' } });
      assert.equal(back.status, 409, 'never re-announced while the provider is still withdrawing it');
      assert.match(back.body.error.message, /flap guard/);
      t.clock.advance(15 * MIN);
      await settle('idle', 'idle');
      const h = await req('GET', `/api/v1/scrubbing/${id}/history?limit=50`, { token: viewer });
      const d = h.body.data.diversions.find((x: any) => x.id === a.body.data.id);
      assert.equal(d.state, 'idle');
      assert.equal(d.end_reason, 'false alarm');
      assert.ok(d.propagating_at && d.withdrawing_at && d.ended_at);
      const path = h.body.data.events.filter((e: any) => e.diversion_id === d.id && e.event === 'state').map((e: any) => e.to_state).reverse();
      // (a status poll may see it diverting in the instant between the guard's end and the withdraw)
      assert.deepEqual(path.filter((s: string) => s !== 'diverting'), ['requested', 'propagating', 'withdrawing', 'idle']);
      // Inside the policy's hold-down (60 s by default) the same target is not announced again.
      const soon = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.77' } });
      assert.equal(soon.status, 409);
      assert.match(soon.body.error.message, /hold-down/);
      t.clock.advance(MIN);
      const later = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.77', ttl: 600 } });
      assert.equal(later.body.data.state, 'propagating');
      t.clock.advance(8 * MIN);
      await settle('diverting', 'diverting');
      const on = await req('GET', `/api/v1/scrubbing/${id}`);
      assert.equal(on.body.data.diverting, true);
      assert.equal(on.body.data.state, 'diverting');
      // The TTL (600 s) ends it.
      t.clock.advance(3 * MIN);
      await settle('TTL over', 'withdrawing');
      await waitFor('withdrawn at Cloudflare', () => !cf.prefixByCidr('198.51.100.0/24')!.advertised);
      t.clock.advance(16 * MIN);
      await settle('idle', 'idle');
      const ended = (await req('GET', `/api/v1/scrubbing/${id}/history`)).body.data.diversions.find((x: any) => x.id === later.body.data.id);
      assert.match(ended.end_reason, /TTL of 600 s/);
      const problems = cf.problems.filter((p) => !/unknown token/.test(p)); // the wrong-token test's own
      assert.equal(problems.length, 0, problems.join('\n'));
    });

    test('allowlisted prefixes are never diverted; dry-run records and calls nothing; unknown targets are named', async () => {
      await req('POST', '/api/v1/allowlist', { body: { ip_address: '203.0.113.10', label: 'payments' } });
      const r = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '203.0.113.99' } });
      assert.equal(r.status, 409);
      assert.match(r.body.error.message, /allowlist/);
      assert.equal(cf.prefixByCidr('203.0.113.0/24')!.advertised, false);
      const nowhere = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '192.0.2.1' } });
      assert.equal(nowhere.status, 400);
      assert.match(nowhere.body.error.message, /^target: 192\.0\.2\.1 is not covered/);
      assert.match((await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator })).body.error.message, /^target: required/, 'no body: every key left out');
      assert.match((await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { ttl: -1 } })).body.error.message, /ttl/);

      t.clock.advance(2 * MIN);
      const before = cf.received.filter((x) => x.method === 'PATCH').length;
      const dry = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.1', dry_run: true } });
      assert.equal(dry.body.data.state, 'dry_run');
      assert.equal(dry.body.data.dry_run, true);
      assert.equal(cf.received.filter((x) => x.method === 'PATCH').length, before, 'Cloudflare was not asked');
      const w = await req('POST', `/api/v1/scrubbing/${id}/withdraw`, { token: operator, body: {} });
      assert.equal(w.body.data.diversions[0].state, 'idle');
      assert.equal((await req('POST', `/api/v1/scrubbing/${id}/withdraw`, { token: operator, body: {} })).status, 409, 'nothing left to withdraw');
    });

    test('a 429 with a long Retry-After leaves the diversion requested and retries it when Cloudflare says', async () => {
      t.clock.advance(2 * MIN);
      cf.script(cf.rateLimited(90));
      const r = await req('POST', `/api/v1/scrubbing/${id}/announce`, { token: operator, body: { target: '198.51.100.5', reason: 'retry me' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.state, 'requested');
      assert.match(r.body.data.error, /429/);
      const h = (await req('GET', `/api/v1/scrubbing/${id}`)).body.data.health;
      assert.equal(h, 'rate_limited');
      const patches = cf.received.filter((x) => x.method === 'PATCH').length;
      t.clock.advance(60_000);
      // Neither the pass nor a reconciliation (which also runs on its own timer, or after a lease
      // takeover) may ask Cloudflare again before its Retry-After.
      await t.server.scrubbing.reconcileAll();
      await t.server.scrubbing.tick();
      assert.equal((await req('GET', `/api/v1/scrubbing/${id}`)).body.data.active_diversions[0].state, 'requested', 'not before Retry-After');
      assert.equal(cf.received.filter((x) => x.method === 'PATCH').length, patches, 'Cloudflare was not asked again before its Retry-After');
      t.clock.advance(31_000);
      await settle('enabled after Retry-After', 'propagating');
      assert.ok(cf.prefixByCidr('198.51.100.0/24')!.advertised);
      const w = await req('POST', `/api/v1/scrubbing/${id}/withdraw`, { token: operator, body: { force: true, reason: 'done' } });
      assert.equal(w.body.data.diversions[0].state, 'withdrawing', 'force overrides the flap guard');
      assert.equal(cf.prefixByCidr('198.51.100.0/24')!.advertised, false);
    });

    test('no reply ever carries a credential; every action is in the audit log', async () => {
      for (const body of replies) assert.ok(!body.includes(cf.token), body.slice(0, 200));
      const actions = new Set((await audit.listAudit(t.server.ctx.db, t.admin.workspaceId, 500, 0)).map((a) => a.action));
      for (const a of ['scrubbing.announce', 'scrubbing.withdraw', 'scrubbing.integration.delete']) assert.ok(actions.has(a), a);
      assert.equal((await req('PUT', `/api/v1/scrubbing/${id}`, { body: { integration_type: 'ovh_mitigation', name: 'x', config: {} } })).status, 409, 'no type change under an open diversion');
      const spare = await req('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_magic_transit', name: 'spare', config: cfg() } });
      const other = await req('PUT', `/api/v1/scrubbing/${spare.body.data.id}`, { body: { integration_type: 'ovh_mitigation', name: 'x', config: { application_key: 'ak', application_secret: '****abcd', consumer_key: '****efgh', ip_blocks: ['198.51.100.0/24'] } } });
      assert.equal(other.status, 400);
      assert.match(other.body.error.message, /^config\.application_secret: give the credential itself/);
    });
  });
}
