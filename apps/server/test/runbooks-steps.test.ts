// The runbook steps that go through other services, run for real against a node: cloudflare_uam
// turns the zone of a cloudflare_waf integration (a local Cloudflare API) to Under Attack Mode,
// owned by the execution, and the run's undo puts the level it had back; notify_channel sends
// through the alert outbox to a webhook channel; scrubbing_enable diverts through an integration.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCloudflareFake, type CloudflareFake } from '@breakwater/outbound/testing';
import { sqliteBackend, waitFor } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';
import { startHook, type Hook } from './runbook-hook.ts';

describe('runbook steps through the scrubbing service and the alert outbox', () => {
  let t: TestServer;
  let cf: CloudflareFake;
  let hook: Hook;
  let node: { uuid: string; key: string };
  let waf: string;

  before(async () => {
    t = await startTestServer(sqliteBackend, { outbound: { channels: { webhook: ['loopback'] }, scrubbing: { cloudflare_waf: ['loopback'], cloudflare_magic_transit: ['loopback'] } } as never });
    cf = await startCloudflareFake({ securityLevel: 'high', prefixes: [{ cidr: '198.51.100.0/24' }] });
    hook = await startHook();
    node = await t.deploy(t.admin, 'uam-node', '198.51.100.10');
    const r = await t.request('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_waf', name: 'zone', config: { api_token: cf.token, zone_id: cf.zoneId, origin_addresses: ['198.51.100.10'], api_url: cf.url } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    waf = r.body.data.id;
  });
  after(async () => {
    await t?.stop();
    await cf?.stop();
    await hook?.stop();
  });

  const run = async (steps: unknown[]) => {
    const c = await t.request('POST', '/api/v1/runbooks', { body: { name: `rb-${Math.random()}`, trigger_conditions: {}, steps } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal((await t.request('POST', `/api/v1/runbooks/${c.body.data.id}/test`, { body: { node: node.uuid, dry_run: false } })).status, 202);
    await t.server.runbooks.idle();
    return (await t.request('GET', `/api/v1/runbooks/${c.body.data.id}/executions`)).body.data[0];
  };

  test('cloudflare_uam: Under Attack Mode owned by the execution, and the undo restores the previous level', async () => {
    hook.fail.push(500);
    const ex = await run([
      { action_type: 'cloudflare_uam', action_config: { integration_id: waf } },
      { action_type: 'webhook', action_config: { url: hook.url, retries: 0 }, on_failure: 'undo' },
    ]);
    assert.equal(ex.steps[0].status, 'succeeded', JSON.stringify(ex.steps[0]));
    assert.equal(ex.status, 'undone');
    assert.ok(ex.effects[0].undone_at);
    await waitFor('the zone back at its level', () => cf.zone.security_level === 'high', 10_000, 20);
    const h = await t.request('GET', `/api/v1/scrubbing/${waf}/history?limit=10`);
    const d = h.body.data.diversions[0];
    assert.equal(d.owner_kind, 'runbook');
    assert.equal(d.owner, `runbook:${ex.runbook_id}:${ex.id}`);

    // The flap guard holds a new change for its hold-down after a withdraw: the step fails, saying so.
    const early = await run([{ action_type: 'cloudflare_uam', action_config: { integration_id: waf } }]);
    assert.equal(early.status, 'failed');
    assert.match(early.steps[0].error, /flap guard/);
    t.clock.advance(61_000);
    const kept = await run([{ action_type: 'cloudflare_uam', action_config: { integration_id: waf } }]);
    assert.equal(kept.status, 'succeeded', JSON.stringify(kept.steps));
    await waitFor('Under Attack Mode', () => cf.zone.security_level === 'under_attack', 10_000, 20);
  });

  test('scrubbing_enable: the node prefix advertised through the integration, owned by the execution', async () => {
    const r = await t.request('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_magic_transit', name: 'mt', config: { api_token: cf.token, account_id: cf.accountId, prefixes: [{ cidr: '198.51.100.0/24' }], api_url: cf.url } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const ex = await run([{ action_type: 'scrubbing_enable', action_config: { integration_id: r.body.data.id, ttl: 3600 } }]);
    assert.equal(ex.status, 'succeeded', JSON.stringify(ex.steps));
    await waitFor('advertised at Cloudflare', () => cf.prefixByCidr('198.51.100.0/24')?.advertised === true, 10_000, 20);
    const h = await t.request('GET', `/api/v1/scrubbing/${r.body.data.id}/history?limit=10`);
    assert.equal(h.body.data.diversions[0].owner, `runbook:${ex.runbook_id}:${ex.id}`);
    assert.equal(ex.effects[0].kind, 'scrubbing');
  });

  test('cloudflare_uam names a cloudflare_waf integration', async () => {
    const r = await t.request('POST', '/api/v1/channels', { body: { name: 'hook', type: 'webhook', config: { url: hook.url } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const bad = await t.request('POST', '/api/v1/runbooks', { body: { name: 'x', trigger_conditions: {}, steps: [{ action_type: 'cloudflare_uam', action_config: { integration_id: 'nope' } }] } });
    assert.match(bad.body.error.message, /^steps\[0\]\.action_config\.integration_id: no scrubbing integration nope/);
  });

  test('notify_channel: the message goes through the alert outbox', async () => {
    const ch = await t.request('POST', '/api/v1/channels', { body: { name: 'ops hook', type: 'webhook', config: { url: hook.url } } });
    assert.equal(ch.status, 201, JSON.stringify(ch.body));
    const before = hook.got.length;
    const ex = await run([{ action_type: 'notify_channel', action_config: { channel_id: ch.body.data.id, message: 'blocking on {{node.name}}' } }]);
    assert.equal(ex.status, 'succeeded', JSON.stringify(ex));
    assert.equal(ex.steps[0].output.queued, true);
    const got = await waitFor('delivered', () => hook.got.slice(before).find((g) => g.body.includes('blocking on uam-node')), 10_000, 20);
    assert.match(JSON.parse(got.body).incident.mitigation, /^runbook rb-.*: blocking on uam-node$/);
  });
});
