// Linode against its local fake: our rules placed first and labelled, the operator's kept as they
// are through Linode's replace-everything PUT, read back after a restart, and Linode's errors.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScrubbingError } from '../errors.ts';
import type { ScrubbingDeps } from '../provider.ts';
import type { LinodeRule } from './api.ts';
import { createLinodeProvider } from './index.ts';
import { startLinodeFake, type LinodeFake } from './testing/fake.ts';

const OPERATOR: LinodeRule[] = [
  { action: 'ACCEPT', protocol: 'TCP', ports: '22', addresses: { ipv4: ['198.51.100.0/24'] }, label: 'ssh-office', description: 'operator' },
  { action: 'ACCEPT', protocol: 'TCP', ports: '80, 443', addresses: { ipv4: ['0.0.0.0/0'], ipv6: ['::/0'] }, label: 'web' },
];

async function rejects(p: Promise<unknown>): Promise<ScrubbingError> {
  try { await p; } catch (err) { assert.ok(err instanceof ScrubbingError, String(err)); return err; }
  assert.fail('expected a ScrubbingError');
}

describe('linode provider', () => {
  let fake: LinodeFake;
  const waits: number[] = [];
  const deps = (over: Partial<ScrubbingDeps> = {}): ScrubbingDeps => ({ now: Date.now, timeoutMs: 2000, reach: ['loopback'], sleep: async (ms) => { waits.push(ms); }, ...over });
  const config = (over: Record<string, unknown> = {}) => ({
    api_token: fake.token, firewall_id: fake.firewallId, addresses: ['203.0.113.20'],
    public_rules: [{ protocol: 'TCP', ports: '80, 443' }, { protocol: 'UDP' }], allowed_sources: ['192.0.2.0/24', '2001:db8:1::/48'], api_url: `${fake.url}/v4`, ...over,
  });
  const target = () => String(fake.firewallId);

  before(async () => { fake = await startLinodeFake(); });
  after(async () => { await fake.stop(); });
  beforeEach(() => {
    assert.deepEqual(fake.problems, [], 'the previous test sent only requests Linode accepts');
    fake.mode = 'ok';
    fake.received.length = 0;
    waits.length = 0;
    fake.rules.inbound = structuredClone(OPERATOR);
    fake.firewall.status = 'enabled';
  });

  test('enable places ACCEPT-allowed then DROP-everyone rules first; the operator\'s rules follow unchanged; disable removes only ours', async () => {
    const p = createLinodeProvider(config(), deps());
    assert.equal((await p.status(target())).state, 'idle');
    const on = await p.enable(target(), 'syn flood on 203.0.113.20', 'k1');
    assert.equal(on.state, 'diverting');
    assert.match(on.detail, /no diversion/);
    const put = fake.received.find((r) => r.method === 'PUT')!;
    assert.equal(put.path, `/v4/networking/firewalls/${fake.firewallId}/rules`);
    assert.deepEqual(fake.rules.inbound.map((r) => [r.label, r.action, r.protocol, r.ports ?? '']), [
      ['bw-scrub-0-accept', 'ACCEPT', 'TCP', '80, 443'], ['bw-scrub-0-drop', 'DROP', 'TCP', '80, 443'],
      ['bw-scrub-1-accept', 'ACCEPT', 'UDP', ''], ['bw-scrub-1-drop', 'DROP', 'UDP', ''],
      ['ssh-office', 'ACCEPT', 'TCP', '22'], ['web', 'ACCEPT', 'TCP', '80, 443'],
    ]);
    assert.deepEqual(fake.rules.inbound[0]!.addresses, { ipv4: ['192.0.2.0/24'], ipv6: ['2001:db8:1::/48'] });
    assert.deepEqual(fake.rules.inbound[1]!.addresses, { ipv4: ['0.0.0.0/0'], ipv6: ['::/0'] });
    assert.equal(fake.rules.inbound[0]!.description, 'Breakwater: syn flood on 203.0.113.20');
    assert.deepEqual(fake.rules.inbound.slice(4), OPERATOR);

    // A new process (after a restart) reads the same state back from the labels.
    const again = createLinodeProvider(config(), deps());
    assert.equal((await again.status(target())).state, 'diverting');
    fake.received.length = 0;
    await again.enable(target(), 'again', 'k1');
    assert.deepEqual(fake.received.map((r) => r.method), ['GET'], 'enabling what is on writes nothing');

    assert.equal((await again.disable(target(), 'k2')).state, 'idle');
    assert.deepEqual(fake.rules.inbound, OPERATOR);
    fake.received.length = 0;
    await again.disable(target(), 'k3');
    assert.deepEqual(fake.received.map((r) => r.method), ['GET'], 'disabling what is off writes nothing');
  });

  test('a disabled firewall does not enforce our rules: status says failed', async () => {
    const p = createLinodeProvider(config(), deps());
    await p.enable(target(), 'flood', 'k');
    fake.firewall.status = 'disabled';
    const s = await p.status(target());
    assert.equal(s.state, 'failed');
    assert.match(s.detail, /disabled/);
    fake.firewall.status = 'enabled';
    await p.disable(target(), 'k');
  });

  test('rules out of order (an operator moved ours) read as failed; enable puts them back first', async () => {
    const p = createLinodeProvider(config(), deps());
    await p.enable(target(), 'flood', 'k');
    fake.rules.inbound.push(fake.rules.inbound.shift()!);
    assert.equal((await p.status(target())).state, 'failed');
    assert.equal((await p.enable(target(), 'flood', 'k')).state, 'diverting');
    assert.equal(fake.rules.inbound[0]!.label, 'bw-scrub-0-accept');
    await p.disable(target(), 'k');
    assert.deepEqual(fake.rules.inbound, OPERATOR);
  });

  test('more rules than Linode allows is a config error naming public_rules, and nothing is written', async () => {
    fake.rules.inbound = Array.from({ length: 22 }, (_, i) => ({ action: 'ACCEPT' as const, protocol: 'TCP' as const, ports: String(1000 + i), addresses: { ipv4: ['0.0.0.0/0'] }, label: `op-${i}x` }));
    const err = await rejects(createLinodeProvider(config(), deps()).enable(target(), 'flood', 'k'));
    assert.equal(err.kind, 'config');
    assert.equal(err.key, 'config.public_rules');
    assert.ok(!fake.received.some((r) => r.method === 'PUT'));
  });

  test('test(): ok; a wrong token is auth_failed with Linode\'s reason and no token', async () => {
    assert.equal((await createLinodeProvider(config(), deps()).test()).ok, true);
    const wrong = 'e'.repeat(64);
    const bad = await createLinodeProvider(config({ api_token: wrong }), deps()).test();
    assert.equal(bad.health, 'auth_failed');
    assert.match(bad.error!.message, /HTTP 401: Invalid Token/);
    assert.ok(!JSON.stringify(bad).includes(wrong));
  });

  test('429 + Retry-After waited out; 5xx provider; hang timeout; none carries the token', async () => {
    const p = createLinodeProvider(config(), deps({ sleep: async (ms) => { waits.push(ms); fake.mode = 'ok'; } }));
    fake.mode = 'rate_limited';
    assert.equal((await p.status(target())).state, 'idle');
    assert.deepEqual(waits, [7000]);
    fake.mode = 'rate_limited';
    const rl = await rejects(createLinodeProvider(config(), deps({ maxRetryAfterMs: 1000 })).status(target()));
    assert.equal(rl.kind, 'rate_limited');
    assert.equal(rl.retryAfterMs, 7000);
    fake.mode = 'server_error';
    const e5 = await rejects(createLinodeProvider(config(), deps()).enable(target(), 'x', 'k'));
    assert.equal(e5.kind, 'provider');
    fake.mode = 'hang';
    const et = await rejects(createLinodeProvider(config(), deps({ timeoutMs: 150 })).disable(target(), 'k'));
    assert.equal(et.kind, 'timeout');
    for (const e of [rl, e5, et]) assert.ok(!e.message.includes(fake.token));
  });

  test('targetFor, targets, and a foreign target', async () => {
    const p = createLinodeProvider(config(), deps());
    assert.deepEqual(p.targets(), [target()]);
    assert.equal(p.targetFor('203.0.113.20'), target());
    assert.equal(p.targetFor('203.0.113.21'), null);
    const err = await rejects(p.status('1'));
    assert.equal(err.key, 'target');
  });
});
