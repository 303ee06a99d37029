// The escalation policy's scrubbing tier through a scrubbing integration: an incident reported by
// an agent above the tier diverts the node's covering prefix at (a local) Cloudflare, owned by the
// policy; it returns after the incident resolves and the hold-down (and the provider's documented
// time to advertise) has passed. An allowlisted node is never diverted; dry-run calls nothing; a
// runbook's enable is owned by its execution. Then a restart in the middle of diversions: the
// reconciliation pass adopts, re-enables and finishes withdrawals by the provider's real state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scrubbing as repo } from '@breakwater/db';
import { startCloudflareFake, type CloudflareFake } from '@breakwater/scrubbing/testing';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createServer, resolveConfig, type RunningServer } from '../src/index.ts';
import { disableForRunbook, enableForRunbook } from '../src/services/scrubbing/diversions.ts';
import { startTestServer, TestClock, type TestServer } from './harness.ts';

const MIN = 60_000;
const SCRUB = { tickMs: 30, pollMs: 1000, reconcileMs: 3_600_000, timeoutMs: 2000, maxAttempts: 5 };
const OUTBOUND = { scrubbing: { cloudflare_magic_transit: ['loopback' as const] }, adapters: {}, channels: {} };
const PREFIXES = ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'];

for (const backend of BACKENDS) {
  describe(`scrubbing tier of the escalation policy on ${backend.name}`, () => {
    let t: TestServer;
    let cf: CloudflareFake;
    let integration: string;
    let n = 0;
    const adv = (cidr: string) => cf.prefixByCidr(cidr)!.advertised;
    const policy = (body: Record<string, unknown>) => t.request('PUT', '/api/v1/mitigation/escalation-policy', { body });
    const tiers = () => [{ name: 'scrub', pps: 500_000, action: 'scrubbing', integration_id: integration, ttl: 7200 }];
    const victim = async (ip: string) => ({ ip, ...(await t.deploy(t.admin, `victim-${++n}-${backend.name}`, ip)) });
    const open = (node: { uuid: string; key: string }, body: Record<string, unknown>) =>
      t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', started_at: new Date(t.clock.now()).toISOString(), ...body });
    const diversionsOf = async (incident: string) => {
      const h = await t.request('GET', `/api/v1/scrubbing/${integration}/history?limit=500`);
      return (h.body.data.diversions as any[]).filter((d) => d.incident_id === incident);
    };

    before(async () => {
      t = await startTestServer(backend, { scrubbing: SCRUB, outbound: OUTBOUND });
      cf = await startCloudflareFake({ prefixes: PREFIXES.map((cidr) => ({ cidr })), clock: { now: () => t.clock.now(), advance: (ms) => t.clock.advance(ms) } });
      const r = await t.request('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_magic_transit', name: 'cf-mt', config: { api_token: cf.token, account_id: cf.accountId, prefixes: PREFIXES.map((cidr) => ({ cidr })), api_url: cf.url } } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      integration = r.body.data.id;
    });
    after(async () => {
      await t?.stop();
      await cf?.stop();
    });

    test('the tier is validated: it names an integration of this workspace', async () => {
      const none = await policy({ thresholds: [{ name: 'scrub', pps: 5, action: 'scrubbing' }] });
      assert.equal(none.status, 400);
      assert.match(none.body.error.message, /thresholds\[0\]\.integration_id: required/);
      const ghost = await policy({ thresholds: [{ name: 'scrub', pps: 5, action: 'scrubbing', integration_id: 'nope' }] });
      assert.match(ghost.body.error.message, /thresholds\[0\]\.integration_id: no scrubbing integration nope/);
      const wrong = await policy({ thresholds: [{ name: 'bh', pps: 5, action: 'blackhole', integration_id: integration }] });
      assert.match(wrong.body.error.message, /thresholds\[0\]\.integration_id: only for the scrubbing action/);
      const other = await t.addWorkspace();
      const foreign = await t.request('PUT', '/api/v1/mitigation/escalation-policy', { token: other.apiToken, body: { thresholds: tiers() } });
      assert.equal(foreign.status, 400, 'another workspace\'s integration is not there');
    });

    test('a flood above the tier diverts through the integration and returns after resolve + hold-down', async () => {
      assert.equal((await policy({ thresholds: tiers(), hold_down_seconds: 120, dry_run: false })).status, 200);
      const v = await victim('198.51.100.20');
      const below = await open(v, { peak_pps: 100_000, peak_bps: 1e9 });
      await t.server.autoMitigator.idle();
      assert.equal((await diversionsOf(below.body.uuid)).length, 0, 'below the tier: nothing');
      assert.equal(adv('198.51.100.0/24'), false);
      await t.agent(v, 'POST', `/incidents/${below.body.uuid}`, { peak_pps: 900_000 });
      await waitFor('diverted at Cloudflare', () => adv('198.51.100.0/24'));
      await t.server.autoMitigator.idle();
      for (const pps of [950_000, 990_000]) await t.agent(v, 'POST', `/incidents/${below.body.uuid}`, { peak_pps: pps });
      await t.server.autoMitigator.idle();
      const [d, ...more] = await diversionsOf(below.body.uuid);
      assert.equal(more.length, 0, 'the tier fires once per incident');
      assert.equal(d.owner_kind, 'policy');
      assert.equal(d.tier, 'scrub');
      assert.equal(d.ttl, 7200);
      assert.equal(d.target, '198.51.100.0/24');
      assert.match(d.reason, /scrub: udp_flood peaked at 900000 pps/);
      assert.equal(d.state, 'propagating');

      await t.agent(v, 'POST', `/incidents/${below.body.uuid}/resolve`, { duration_seconds: 30 });
      await t.server.autoMitigator.idle();
      await t.server.scrubbing.tick();
      assert.ok(adv('198.51.100.0/24'), 'held during the hold-down');
      t.clock.advance(3 * MIN); // hold-down (120 s) over, but Cloudflare's 7 min to advertise are not
      await t.server.scrubbing.tick();
      assert.ok(adv('198.51.100.0/24'), 'the flap guard waits for the advertisement to complete');
      t.clock.advance(5 * MIN);
      await waitFor('withdrawn at Cloudflare', () => !adv('198.51.100.0/24'));
      t.clock.advance(16 * MIN);
      await waitFor('idle', async () => (await diversionsOf(below.body.uuid))[0].state === 'idle');
      const [done] = await diversionsOf(below.body.uuid);
      assert.equal(done.end_reason, 'incident resolved (hold-down over)');
      assert.equal(cf.problems.length, 0, cf.problems.join('\n'));
    });

    test('an allowlisted node is never diverted; dry-run records and calls nothing', async () => {
      await policy({ thresholds: tiers(), hold_down_seconds: 0, dry_run: false });
      const v = await victim('203.0.113.40');
      await t.request('POST', '/api/v1/allowlist', { body: { ip_address: v.ip, scope: 'node', node: v.uuid } });
      const o = await open(v, { peak_pps: 900_000, peak_bps: 1e9 });
      await waitFor('decision recorded', async () => (await diversionsOf(o.body.uuid)).length === 1);
      const [d] = await diversionsOf(o.body.uuid);
      assert.equal(d.state, 'refused');
      assert.match(d.error, /allowlist/);
      assert.equal(adv('203.0.113.0/24'), false);
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});

      await policy({ thresholds: tiers(), hold_down_seconds: 0, dry_run: true });
      const patches = cf.received.filter((r) => r.method === 'PATCH').length;
      const w = await victim('192.0.2.50');
      const o2 = await open(w, { peak_pps: 900_000, peak_bps: 1e9 });
      await waitFor('dry-run recorded', async () => (await diversionsOf(o2.body.uuid)).length === 1);
      const [dry] = await diversionsOf(o2.body.uuid);
      assert.equal(dry.state, 'dry_run');
      assert.equal(dry.dry_run, true);
      await t.agent(w, 'POST', `/incidents/${o2.body.uuid}/resolve`, {});
      await waitFor('dry run closed', async () => (await diversionsOf(o2.body.uuid))[0].state === 'idle');
      assert.equal(cf.received.filter((r) => r.method === 'PATCH').length, patches, 'Cloudflare heard nothing');
      await policy({ dry_run: false, thresholds: [] });
    });

    test('a runbook step enables through the service, owned by its execution', async () => {
      const ctx = t.server.ctx;
      const row = await enableForRunbook({ db: ctx.db, clock: ctx.clock, scrubbing: ctx.scrubbing, allowlistFor: (ws, node) => ctx.mitigation.allowlistFor(ws, node) }, {
        workspaceId: t.admin.workspaceId, integrationId: integration, executionId: 'exec-42', address: '192.0.2.77', reason: 'runbook: big flood', ttlSeconds: 900,
      });
      assert.equal(row.owner, 'runbook:exec-42');
      assert.equal(row.owner_kind, 'runbook');
      assert.equal(row.state, 'propagating');
      assert.ok(adv('192.0.2.0/24'));
      await assert.rejects(enableForRunbook({ db: ctx.db, clock: ctx.clock, scrubbing: ctx.scrubbing, allowlistFor: async () => [] }, { workspaceId: t.admin.workspaceId, integrationId: 'missing', executionId: 'x' }), /integration_id: no scrubbing integration missing/);
      t.clock.advance(8 * MIN);
      const [w] = await disableForRunbook({ db: ctx.db, clock: ctx.clock, scrubbing: ctx.scrubbing, allowlistFor: async () => [] }, { workspaceId: t.admin.workspaceId, integrationId: integration, executionId: 'exec-43', address: '192.0.2.77' });
      assert.equal(w!.state, 'withdrawing');
      assert.equal(w!.ended_by, 'runbook:exec-43');
      assert.equal(adv('192.0.2.0/24'), false);
    });
  });

  describe(`scrubbing after a restart in the middle of diversions on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.setup>>;
    let cf: CloudflareFake;
    let server: RunningServer | null = null;
    let token: string;
    const clock = new TestClock();

    before(async () => {
      env = await backend.setup();
      cf = await startCloudflareFake({ prefixes: PREFIXES.map((cidr) => ({ cidr })), clock: { now: () => clock.now(), advance: (ms) => clock.advance(ms) } });
    });
    after(async () => {
      await server?.stop();
      await cf?.stop();
      await env?.cleanup();
    });

    const start = async () => {
      const config = resolveConfig({ port: 0, host: '127.0.0.1', dataDir: env.dataDir, databaseUrl: env.databaseUrl, logLevel: 'silent', scrubbing: SCRUB, outbound: OUTBOUND });
      server = await createServer(config, { clock }).start({ bootstrapIfEmpty: true });
      if (server.bootstrapped) token = server.bootstrapped.api_token;
    };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(server!.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };

    test('reconciliation adopts what the provider finished, re-enables what it lost, finishes a cut-off withdrawal', async () => {
      await start();
      const c = await api('POST', '/api/v1/scrubbing', { integration_type: 'cloudflare_magic_transit', name: 'cf', config: { api_token: cf.token, account_id: cf.accountId, prefixes: PREFIXES.map((cidr) => ({ cidr })), api_url: cf.url } });
      const id = c.body.data.id;
      const a = await api('POST', `/api/v1/scrubbing/${id}/announce`, { target: '198.51.100.1', reason: 'A' });
      const b = await api('POST', `/api/v1/scrubbing/${id}/announce`, { target: '203.0.113.1', reason: 'B' });
      const cc = await api('POST', `/api/v1/scrubbing/${id}/announce`, { target: '192.0.2.1', reason: 'C' });
      assert.deepEqual([a.body.data.state, b.body.data.state, cc.body.data.state], ['propagating', 'propagating', 'propagating']);
      // C: the server recorded "withdrawing" and went down before Cloudflare heard of it.
      await repo.updateDiversion(server!.ctx.db, cc.body.data.id, { state: 'withdrawing', withdrawing_at: clock.now(), ended_by: 'user:ops', end_reason: 'C done' });
      await server!.stop();
      server = null;

      clock.advance(8 * MIN); // A and B finished propagating while the server was down
      Object.assign(cf.prefixByCidr('203.0.113.0/24')!, { advertised: false, advertised_modified_at: new Date(clock.now()).toISOString() }); // B: withdrawn at Cloudflare by hand meanwhile
      assert.ok(adv('192.0.2.0/24'), 'C still advertised');

      await start();
      await waitFor('A adopted as diverting', async () => (await repo.getDiversion(server!.ctx.db, a.body.data.id))?.state === 'diverting');
      await waitFor('B enabled again', () => adv('203.0.113.0/24'));
      await waitFor('C withdrawn', () => !adv('192.0.2.0/24'));
      const h = await api('GET', `/api/v1/scrubbing/${id}/history?limit=100`);
      assert.ok(h.body.data.events.some((e: any) => e.diversion_id === b.body.data.id && e.event === 'reconciled'), 'the re-enable is in the history');
      const st = await api('GET', `/api/v1/scrubbing/${id}/status`);
      assert.equal(st.body.data.diverting, true);
      assert.equal(st.body.data.provider.find((s: any) => s.target === '198.51.100.0/24').state, 'diverting');
      assert.equal(cf.problems.length, 0, cf.problems.join('\n'));
    });

    function adv(cidr: string) {
      return cf.prefixByCidr(cidr)!.advertised;
    }
  });
}
