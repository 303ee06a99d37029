// Automatic mitigation: incidents reported through the agent API are held against the
// escalation policy as they open and grow; each tier reached adds its rules once; dry-run
// records without announcing; resolve withdraws after the hold-down; per-host overrides and the
// allowlist change what fires. Rules reach a local webhook receiver that verifies each request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { startWebhookFake, type WebhookFake } from '@breakwater/mitigation/testing';
import { startTestServer, type TestServer } from './harness.ts';

// The fake webhook receivers listen on loopback: granted as an operator would (outbound.*).
const FAST = { mitigation: { tickMs: 50, reconcileMs: 60_000, timeoutMs: 1000, maxAttempts: 3 }, outbound: { channels: { '*': ['loopback' as const] }, adapters: { '*': ['loopback' as const] } } };

for (const backend of BACKENDS) {
  describe(`automatic mitigation on ${backend.name}`, () => {
    let t: TestServer;
    let hook: WebhookFake;
    let adapterId: string;
    let n = 0;

    before(async () => {
      t = await startTestServer(backend, FAST);
      hook = await startWebhookFake();
      const r = await t.request('POST', '/api/v1/mitigation/adapters', {
        body: { adapter_type: 'webhook', name: 'upstream', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret },
      });
      adapterId = r.body.data.id;
    });
    after(async () => {
      await t?.stop();
      await hook?.stop();
    });

    const policy = (body: Record<string, unknown>) => t.request('PUT', '/api/v1/mitigation/escalation-policy', { body });
    const tiers = () => [
      { name: 'tier1', pps: 10_000, action: 'firewall' },
      { name: 'tier2', pps: 50_000, action: 'flowspec', adapter_id: adapterId, ttl: 900 },
      { name: 'tier3', bps: 5_000_000_000, action: 'blackhole', adapter_id: adapterId },
    ];
    const victim = async () => {
      const ip = `198.18.20.${++n}`;
      return { ip, ...(await t.deploy(t.admin, `victim-${n}-${backend.name}`, ip)) };
    };
    const open = (node: { uuid: string; key: string }, body: Record<string, unknown>) =>
      t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', started_at: new Date(t.clock.now()).toISOString(), ...body });
    const rulesOf = async (incident: string) => (await t.request('GET', `/api/v1/mitigation/rules/history?incident=${incident}`)).body.data as any[];

    test('the policy is validated, with each problem named', async () => {
      const bad = await policy({ thresholds: [{ name: 'tier1', action: 'blackhole', pps: 1 }, { name: 'tier1', action: 'firewall' }] });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /thresholds\[0\]\.adapter_id/);
      assert.match(bad.body.error.message, /thresholds\[1\]\.name/);
      assert.match(bad.body.error.message, /thresholds\[1\]: give pps/);
      const ghost = await policy({ thresholds: [{ name: 't', pps: 5, action: 'flowspec', adapter_id: 'no-such-adapter' }] });
      assert.match(ghost.body.error.message, /no adapter no-such-adapter/);
      const typo = await policy({ dryrun: true });
      assert.equal(typo.status, 400);
      const geo = await policy({ geo_lockdown: { enabled: true, countries: [] } });
      assert.match(geo.body.error.message, /geo_lockdown\.countries/);
      const current = await t.request('GET', '/api/v1/mitigation/escalation-policy');
      assert.equal(current.status, 200);
      assert.deepEqual(current.body.data.thresholds, [], 'nothing invalid was stored');
      assert.equal(current.body.data.hold_down_seconds, 60);
    });

    test('an incident escalates through the tiers: firewall, then FlowSpec, then blackhole; resolve withdraws after the hold-down', async () => {
      assert.equal((await policy({ thresholds: tiers(), hold_down_seconds: 30, dry_run: false })).status, 200);
      const v = await victim();
      const o = await open(v, { peak_pps: 20_000, peak_bps: 100_000_000, top_src_ips: [{ ip: '192.0.2.7', count: 900 }], top_dst_ports: [{ port: 27015, count: 990 }, { port: 80, count: 10 }] });
      assert.equal(o.status, 200, JSON.stringify(o.body));
      const uuid = o.body.uuid;
      await waitFor('tier1 rules', async () => (await rulesOf(uuid)).length >= 2);
      let rules = await rulesOf(uuid);
      assert.ok(rules.every((r) => r.tier === 'tier1' && r.intent_type === 'firewall' && r.owner === 'policy'));
      assert.ok(rules.some((r) => r.spec.type === 'rate_limit' && r.spec.params.port === 27015), 'the dominant port is rate-limited');
      assert.ok(rules.some((r) => r.spec.type === 'block_source' && r.spec.params.address === '192.0.2.7'));
      const cmds = await t.request('GET', `/api/agents/${v.uuid}/commands`);
      assert.ok(cmds.body.some((c: any) => c.type === 'block_source' && c.params.incident === uuid), 'the node got the command, tied to the incident');
      // Withdrawn by hand, a firewall rule is taken back on the node by a revoke command.
      const block = rules.find((r) => r.spec.type === 'block_source')!;
      const w = await t.request('DELETE', `/api/v1/mitigation/rules/${block.id}`);
      assert.equal(w.body.data.status, 'withdrawn');
      const after = await t.request('GET', `/api/agents/${v.uuid}/commands`);
      const applied = after.body.find((c: any) => c.type === 'block_source');
      assert.ok(after.body.some((c: any) => c.type === 'revoke' && `cmd_${c.params.command_id}` === applied.command_id), 'revoke sent for that command');
      assert.equal(hook.observe().size, 0, 'nothing upstream yet');

      // The incident grows past tier2: a FlowSpec rule for the vector, once, however many updates come.
      for (const pps of [60_000, 70_000, 80_000]) assert.equal((await t.agent(v, 'POST', `/incidents/${uuid}`, { peak_pps: pps, peak_bps: 400_000_000 })).status, 200);
      await waitFor('tier2 rule', async () => (await rulesOf(uuid)).some((r) => r.tier === 'tier2' && r.status === 'active'));
      await t.server.autoMitigator.idle();
      rules = await rulesOf(uuid);
      const fs = rules.filter((r) => r.tier === 'tier2');
      assert.equal(fs.length, 1);
      assert.deepEqual(fs[0].spec.match, { destination: `${v.ip}/32`, protocols: [17], destination_ports: [{ from: 27015, to: 27015 }] });
      assert.equal(fs[0].ttl, 900);
      assert.ok([...hook.observe()].some((k) => k.startsWith(`flowspec|dst=${v.ip}/32`)));

      await t.agent(v, 'POST', `/incidents/${uuid}`, { peak_pps: 900_000, peak_bps: 9_000_000_000 });
      await waitFor('tier3 blackhole', async () => hook.observe().has(`blackhole|${v.ip}/32`));

      await t.agent(v, 'POST', `/incidents/${uuid}/resolve`, { duration_seconds: 40 });
      await t.server.autoMitigator.idle();
      await t.server.mitigation.tick(); // a full pass now: the hold-down keeps them up
      assert.ok(hook.observe().has(`blackhole|${v.ip}/32`), 'held during the hold-down');
      t.clock.advance(31_000);
      await waitFor('rules withdrawn after hold-down', async () => hook.observe().size === 0);
      rules = await rulesOf(uuid);
      for (const r of rules.filter((x) => x.intent_type !== 'firewall')) {
        assert.equal(r.status, 'withdrawn');
        assert.match(r.withdraw_reason, /hold-down/);
      }
      assert.equal(hook.problems.length, 0, hook.problems.join('\n'));
    });

    test('dry-run records every decision and announces nothing', async () => {
      await policy({ thresholds: tiers(), dry_run: true, hold_down_seconds: 0 });
      const before = hook.received.length;
      const v = await victim();
      const o = await open(v, { peak_pps: 900_000, peak_bps: 9_000_000_000 });
      await waitFor('dry-run rules', async () => (await rulesOf(o.body.uuid)).length >= 3);
      await t.server.autoMitigator.idle();
      const rules = await rulesOf(o.body.uuid);
      assert.deepEqual([...new Set(rules.map((r) => r.tier))].sort(), ['tier1', 'tier2', 'tier3']);
      assert.ok(rules.every((r) => r.status === 'dry_run' && r.dry_run === true));
      assert.equal(hook.received.length, before, 'the receiver heard nothing');
      const cmds = await t.request('GET', `/api/agents/${v.uuid}/commands`);
      assert.equal(cmds.body.length, 0, 'no firewall command either');
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});
      await waitFor('dry-run rules closed', async () => (await rulesOf(o.body.uuid)).every((r) => r.status === 'withdrawn'));
    });

    test('a per-host override raises a tier for one host', async () => {
      await policy({ thresholds: tiers(), dry_run: false, hold_down_seconds: 0 });
      const v = await victim();
      const ov = await t.request('POST', '/api/v1/mitigation/thresholds', { body: { target_ip: `${v.ip}/32`, label: 'big game server', thresholds: { tier1_pps: 500_000, tier2_pps: 800_000 } } });
      assert.equal(ov.status, 200, JSON.stringify(ov.body));
      const o = await open(v, { peak_pps: 100_000, peak_bps: 100_000_000 });
      await t.server.autoMitigator.idle();
      assert.equal((await rulesOf(o.body.uuid)).length, 0, '100 kpps is below this host\'s own tiers');
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}`, { peak_pps: 600_000 });
      await waitFor('tier1 at the override', async () => (await rulesOf(o.body.uuid)).some((r) => r.tier === 'tier1'));
      await t.server.autoMitigator.idle();
      assert.ok(!(await rulesOf(o.body.uuid)).some((r) => r.tier === 'tier2'));
      const list = await t.request('GET', '/api/v1/mitigation/thresholds');
      assert.ok(list.body.data.some((x: any) => x.id === ov.body.data.id && x.thresholds.tier2_pps === 800_000));
      assert.equal((await t.request('POST', '/api/v1/mitigation/thresholds', { body: { target_ip: 'x', thresholds: { tier1_pps: 1 } } })).status, 400);
      assert.equal((await t.request('POST', '/api/v1/mitigation/thresholds', { body: { target_ip: v.ip, thresholds: { tier1_kpps: 1 } } })).status, 400);
      assert.equal((await t.request('DELETE', `/api/v1/mitigation/thresholds/${ov.body.data.id}`)).status, 200);
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});
    });

    test('an allowlisted node is never announced, and its allowlisted sources are never blocked', async () => {
      await policy({ thresholds: tiers(), dry_run: false, hold_down_seconds: 0 });
      const v = await victim();
      await t.request('POST', '/api/v1/allowlist', { body: { ip_address: v.ip, scope: 'node', node: v.uuid } });
      await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '192.0.2.0/24', label: 'partner' } });
      const before = hook.received.length;
      const o = await open(v, { peak_pps: 900_000, peak_bps: 9_000_000_000, top_src_ips: [{ ip: '192.0.2.50', count: 10 }, { ip: '203.0.113.9', count: 5 }] });
      await waitFor('decisions recorded', async () => (await rulesOf(o.body.uuid)).length >= 3);
      await t.server.autoMitigator.idle();
      const rules = await rulesOf(o.body.uuid);
      assert.equal(hook.received.length, before, 'nothing announced upstream for an allowlisted target');
      for (const r of rules.filter((x) => x.intent_type !== 'firewall')) {
        assert.equal(r.status, 'refused');
        assert.match(r.error, /allowlist/);
      }
      const blocked = rules.filter((r) => r.spec?.type === 'block_source').map((r) => r.spec.params.address);
      assert.deepEqual(blocked, ['203.0.113.9'], 'the partner source is never blocked');
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});
    });

    test('a tier whose adapter was deleted records a refusal with the reason and announces nothing', async () => {
      const gone = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'short-lived', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret } });
      await policy({ thresholds: [{ name: 'tier1', pps: 10_000, action: 'blackhole', adapter_id: gone.body.data.id }], dry_run: false, hold_down_seconds: 0 });
      assert.equal((await t.request('DELETE', `/api/v1/mitigation/adapters/${gone.body.data.id}`)).status, 200);
      const before = hook.received.length;
      const v = await victim();
      const o = await open(v, { peak_pps: 900_000, peak_bps: 1e9 });
      await waitFor('the decision recorded', async () => (await rulesOf(o.body.uuid)).length === 1);
      const [r] = await rulesOf(o.body.uuid);
      assert.equal(r.status, 'refused');
      assert.equal(r.dry_run, false);
      assert.match(r.error, /adapter .* not found/);
      assert.equal(hook.received.length, before);
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});
    });

    test('geo lockdown blocks the top sources from the listed countries (GeoIP database), and only those', async () => {
      await policy({ thresholds: [], dry_run: false, hold_down_seconds: 0, geo_lockdown: { enabled: true, countries: ['RU', 'FR'], action: 'firewall' } });
      const v = await victim();
      const o = await open(v, { peak_pps: 20_000, peak_bps: 1e8, top_src_ips: [{ ip: '77.88.8.8', count: 50 }, { ip: '8.8.8.8', count: 40 }, { ip: '195.154.1.1', count: 30 }, { ip: '1.1.1.1', count: 20 }] });
      await waitFor('geo rules', async () => (await rulesOf(o.body.uuid)).length >= 2);
      await t.server.autoMitigator.idle();
      const rules = await rulesOf(o.body.uuid);
      assert.deepEqual(rules.map((r) => r.spec.params.address).sort(), ['195.154.1.1', '77.88.8.8'], 'RU and FR sources only; US and AU untouched');
      assert.ok(rules.every((r) => r.tier === 'geo_lockdown' && r.intent_type === 'firewall' && /geo lockdown/.test(r.reason)));
      await policy({ geo_lockdown: { enabled: false, countries: [], action: 'firewall' } });
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});
    });

    test('incident.mitigated reaches the notification channels once', async () => {
      await policy({ thresholds: tiers(), dry_run: false, hold_down_seconds: 0 });
      const ch = await t.request('POST', '/api/v1/channels', { body: { name: 'ops', type: 'webhook', config: { url: `${hook.url}/not-used`, secret: 'a-webhook-secret-of-32-characters!' }, filters: { events: ['incident.mitigated'] } } });
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      const v = await victim();
      const o = await open(v, { peak_pps: 900_000, peak_bps: 9_000_000_000 });
      await waitFor('mitigated delivery queued', async () => {
        const d = await t.request('GET', `/api/v1/channels/${ch.body.data.id}/deliveries?limit=10`);
        return d.body.data?.some((x: any) => x.event === 'incident.mitigated') ? d.body.data : undefined;
      });
      await t.server.autoMitigator.idle();
      const d = await t.request('GET', `/api/v1/channels/${ch.body.data.id}/deliveries?limit=10`);
      assert.equal(d.body.data.filter((x: any) => x.event === 'incident.mitigated').length, 1);
      await t.request('DELETE', `/api/v1/channels/${ch.body.data.id}`);
      await t.agent(v, 'POST', `/incidents/${o.body.uuid}/resolve`, {});
    });
  });
}
