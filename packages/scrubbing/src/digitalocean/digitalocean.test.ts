// DigitalOcean against its local fake: the firewall narrowing, read back, undone, and DigitalOcean's
// replies (401, 429 + Retry-After, 5xx, hang) turned into the right ScrubbingError.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScrubbingError } from '../errors.ts';
import type { ScrubbingDeps } from '../provider.ts';
import { createDigitaloceanProvider } from './index.ts';
import { startDigitaloceanFake, type DigitaloceanFake } from './testing/fake.ts';

const EVERYONE = { addresses: ['0.0.0.0/0', '::/0'] };
const OPERATOR_SSH = { protocol: 'tcp' as const, ports: '22', sources: { addresses: ['198.51.100.0/24'] } };

async function rejects(p: Promise<unknown>): Promise<ScrubbingError> {
  try { await p; } catch (err) { assert.ok(err instanceof ScrubbingError, String(err)); return err; }
  assert.fail('expected a ScrubbingError');
}

describe('digitalocean provider', () => {
  let fake: DigitaloceanFake;
  const waits: number[] = [];
  const deps = (over: Partial<ScrubbingDeps> = {}): ScrubbingDeps => ({ now: Date.now, timeoutMs: 2000, reach: ['loopback'], sleep: async (ms) => { waits.push(ms); }, ...over });
  const config = (over: Record<string, unknown> = {}) => ({
    api_token: fake.token, firewall_id: fake.firewallId, addresses: ['203.0.113.10', '2001:db8::/64'],
    public_rules: [{ protocol: 'tcp', ports: '443' }, { protocol: 'udp', ports: '0' }], allowed_sources: ['192.0.2.0/24'], api_url: `${fake.url}/v2`, ...over,
  });

  before(async () => { fake = await startDigitaloceanFake(); });
  after(async () => { await fake.stop(); });
  beforeEach(() => {
    assert.deepEqual(fake.problems, [], 'the previous test sent only requests DigitalOcean accepts');
    fake.mode = 'ok';
    fake.received.length = 0;
    waits.length = 0;
    fake.firewall.inbound_rules.splice(0, Infinity,
      { protocol: 'tcp', ports: '443', sources: { ...EVERYONE } }, { protocol: 'udp', ports: '0', sources: { ...EVERYONE } }, OPERATOR_SSH);
  });

  test('enable adds the narrowed rules, then removes the public ones; status reads it back; disable restores', async () => {
    const p = createDigitaloceanProvider(config(), deps());
    assert.equal((await p.status(fake.firewallId)).state, 'idle');
    const on = await p.enable(fake.firewallId, 'udp flood on 203.0.113.10', 'k1');
    const writes = fake.received.filter((r) => r.method !== 'GET');
    assert.deepEqual(writes.map((r) => r.method), ['POST', 'DELETE'], 'narrow first, so the allowed sources are never cut off');
    assert.deepEqual(writes[0]!.json, { inbound_rules: [
      { protocol: 'tcp', ports: '443', sources: { addresses: ['192.0.2.0/24'] } }, { protocol: 'udp', ports: '0', sources: { addresses: ['192.0.2.0/24'] } }] });
    assert.deepEqual(writes[1]!.json, { inbound_rules: [{ protocol: 'tcp', ports: '443', sources: EVERYONE }, { protocol: 'udp', ports: '0', sources: EVERYONE }] });
    assert.equal(on.state, 'propagating', 'the firewall is "waiting" while the Droplets are updated');
    assert.equal((await p.status(fake.firewallId)).state, 'diverting');
    assert.match(on.detail, /no diversion/);
    assert.deepEqual(fake.firewall.inbound_rules.find((r) => r.ports === '22'), OPERATOR_SSH, 'the operator\'s own rule is untouched');

    fake.received.length = 0;
    assert.equal((await p.enable(fake.firewallId, 'again', 'k1')).state, 'diverting');
    assert.deepEqual(fake.received.map((r) => r.method), ['GET', 'GET'], 'enabling what is on changes nothing');

    fake.received.length = 0;
    await p.disable(fake.firewallId, 'k2');
    assert.deepEqual(fake.received.filter((r) => r.method !== 'GET').map((r) => r.method), ['POST', 'DELETE']);
    assert.equal((await p.status(fake.firewallId)).state, 'idle');
    assert.equal(fake.firewall.inbound_rules.length, 3);
    fake.received.length = 0;
    await p.disable(fake.firewallId, 'k3');
    assert.deepEqual(fake.received.map((r) => r.method), ['GET', 'GET'], 'disabling what is off changes nothing');
  });

  test('with no allowed sources the public rules are only removed', async () => {
    const p = createDigitaloceanProvider(config({ allowed_sources: [] }), deps());
    await p.enable(fake.firewallId, 'flood', 'k');
    assert.deepEqual(fake.received.filter((r) => r.method !== 'GET').map((r) => r.method), ['DELETE']);
    assert.equal((await p.status(fake.firewallId)).state, 'diverting');
    await p.disable(fake.firewallId, 'k');
    assert.equal((await p.status(fake.firewallId)).state, 'idle');
  });

  test('a half-done narrowing reads as failed and enable completes it (recovery after a crash between the two calls)', async () => {
    fake.firewall.inbound_rules.push({ protocol: 'tcp', ports: '443', sources: { addresses: ['192.0.2.0/24'] } }, { protocol: 'udp', ports: '0', sources: { addresses: ['192.0.2.0/24'] } });
    fake.firewall.inbound_rules.splice(0, 1); // tcp/443 broad gone, udp broad still there
    const p = createDigitaloceanProvider(config(), deps());
    const s = await p.status(fake.firewallId);
    assert.equal(s.state, 'failed');
    assert.match(s.detail, /partly narrowed/);
    await p.enable(fake.firewallId, 'flood', 'k');
    assert.equal((await p.status(fake.firewallId)).state, 'diverting');
    await p.disable(fake.firewallId, 'k');
  });

  test('a public rule open to IPv4 only is not what public_rules says: status failed, enable refused naming the key, nothing written', async () => {
    fake.firewall.inbound_rules[0] = { protocol: 'tcp', ports: '443', sources: { addresses: ['0.0.0.0/0'] } };
    const p = createDigitaloceanProvider(config(), deps());
    const s = await p.status(fake.firewallId);
    assert.equal(s.state, 'failed');
    assert.match(s.detail, /tcp\/443 from 0\.0\.0\.0\/0, not exactly/);
    const err = await rejects(p.enable(fake.firewallId, 'flood', 'k'));
    assert.equal(err.kind, 'config');
    assert.equal(err.key, 'config.public_rules');
    assert.ok(!fake.received.some((r) => r.method !== 'GET'));
  });

  test('targets, targetFor and a foreign target', async () => {
    const p = createDigitaloceanProvider(config(), deps());
    assert.deepEqual(p.targets(), [fake.firewallId]);
    assert.equal(p.targetFor('203.0.113.10'), fake.firewallId);
    assert.equal(p.targetFor('2001:db8::7'), fake.firewallId);
    assert.equal(p.targetFor('203.0.113.11'), null);
    const err = await rejects(p.enable('bb4b2611-3d72-467b-8602-280330ecd65c', 'x', 'k'));
    assert.equal(err.kind, 'config');
    assert.equal(err.key, 'target');
    assert.equal(fake.received.length, 0);
  });

  test('test(): ok with latency; a wrong token is auth_failed and never echoed', async () => {
    const good = await createDigitaloceanProvider(config(), deps()).test();
    assert.equal(good.ok, true);
    assert.equal(good.health, 'ok');
    const wrong = `dop_v1_${'f'.repeat(64)}`;
    const bad = await createDigitaloceanProvider(config({ api_token: wrong }), deps()).test();
    assert.equal(bad.ok, false);
    assert.equal(bad.health, 'auth_failed');
    assert.match(bad.error!.message, /HTTP 401: Unable to authenticate you/);
    assert.ok(!JSON.stringify(bad).includes(wrong));
  });

  test('429 with Retry-After is waited out and sent again; past the bound it is rate_limited with retryAfterMs', async () => {
    const p = createDigitaloceanProvider(config(), deps({ sleep: async (ms) => { waits.push(ms); fake.mode = 'ok'; } }));
    fake.mode = 'rate_limited';
    assert.equal((await p.status(fake.firewallId)).state, 'idle');
    assert.deepEqual(waits, [7000], 'DigitalOcean said Retry-After: 7');
    fake.mode = 'rate_limited';
    const err = await rejects(createDigitaloceanProvider(config(), deps({ maxRetryAfterMs: 5000 })).enable(fake.firewallId, 'x', 'k'));
    assert.equal(err.kind, 'rate_limited');
    assert.equal(err.retryAfterMs, 7000);
    assert.equal(err.retryable, true);
    assert.ok(!err.message.includes(fake.token), 'the 429 body echoes the request; the message does not');
  });

  test('5xx is provider (retryable), a hang is timeout, a dead endpoint unreachable', async () => {
    fake.mode = 'server_error';
    const e5 = await rejects(createDigitaloceanProvider(config(), deps()).status(fake.firewallId));
    assert.equal(e5.kind, 'provider');
    assert.match(e5.message, /HTTP 500: Unexpected server-side error/);
    assert.ok(!e5.message.includes(fake.token));
    fake.mode = 'hang';
    const et = await rejects(createDigitaloceanProvider(config(), deps({ timeoutMs: 150 })).enable(fake.firewallId, 'x', 'k'));
    assert.equal(et.kind, 'timeout');
    fake.mode = 'ok';
    const eu = await rejects(createDigitaloceanProvider(config({ api_url: 'http://127.0.0.1:9/v2' }), deps()).status(fake.firewallId));
    assert.equal(eu.kind, 'unreachable');
  });

  test('bad config is refused naming the key, without echoing the token', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ firewall_id: 'nope' }, 'config.firewall_id'],
      [{ public_rules: [{ protocol: 'sctp', ports: '1' }] }, 'config.public_rules'],
      [{ public_rules: [] }, 'config.public_rules'],
      [{ addresses: ['not an address'] }, 'config.addresses'],
      [{ api_token: undefined }, 'config.api_token'],
    ];
    for (const [over, key] of cases) {
      assert.throws(() => createDigitaloceanProvider(config(over), deps()), (err: unknown) => {
        assert.ok(err instanceof ScrubbingError && err.kind === 'config', String(err));
        assert.ok(err.message.startsWith(key), `${err.message} names ${key}`);
        assert.ok(!err.message.includes(fake.token));
        return true;
      });
    }
  });
});
