import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterError, type AdapterConfig, type AnnouncedRule } from '../../adapter.ts';
import { startCloudflareFake, type CloudflareFake } from '../../testing/fakes/cloudflare.ts';
import { createCloudflareAdapter } from './index.ts';
import { blockExpression, prefixOfExpression } from './cloudflare.ts';

const deps = (timeoutMs = 2000) => ({ now: Date.now, fetch, timeoutMs, reach: ['loopback'] as const });
const scrub = (prefix: string): AnnouncedRule => ({ id: `r-scrub-${prefix}`, spec: { kind: 'scrubbing', prefix } });
const bh = (prefix: string): AnnouncedRule => ({ id: `r-bh-${prefix}`, spec: { kind: 'blackhole', prefix, next_hop: null, communities: [] } });

async function rejects(p: Promise<unknown>): Promise<AdapterError> {
  try { await p; } catch (err) { assert.ok(err instanceof AdapterError, String(err)); return err; }
  assert.fail('expected an AdapterError');
}

describe('cloudflare adapter', () => {
  let cf: CloudflareFake;
  const config = (over: Partial<AdapterConfig> = {}): AdapterConfig => ({
    endpoint: cf.url, authToken: cf.token, options: { account_id: cf.accountId, ruleset_id: cf.rulesetId }, ...over,
  });
  const started = async (over: Partial<AdapterConfig> = {}, timeoutMs = 2000) => {
    const a = createCloudflareAdapter(config(over), deps(timeoutMs));
    await a.start();
    return a;
  };

  before(async () => { cf = await startCloudflareFake({ prefixes: [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8:100::/48' }, { cidr: '192.0.2.0/24', advertised: true, on_demand_enabled: false }] }); });
  after(async () => { assert.deepEqual(cf.problems, []); await cf.stop(); });
  beforeEach(() => {
    assert.deepEqual(cf.problems, [], 'the previous test sent only requests Cloudflare accepts');
    cf.mode = 'ok';
    cf.received.length = 0;
  });

  test('scrubbing advertises the onboarded prefix with PATCH bgp/status, and withdraws it', async () => {
    const a = await started();
    await a.announce(scrub('198.51.100.0/24'));
    const patch = cf.received.find((r) => r.method === 'PATCH');
    assert.ok(patch, 'a PATCH was sent');
    const id = [...cf.prefixes.values()].find((p) => p.cidr === '198.51.100.0/24')!.id;
    assert.equal(patch.path, `/accounts/${cf.accountId}/addressing/prefixes/${id}/bgp/status`);
    assert.deepEqual(patch.json, { advertised: true });
    assert.ok(cf.observe().has('scrubbing|198.51.100.0/24'));
    assert.ok((await a.present())!.has('scrubbing|198.51.100.0/24'));
    await a.withdraw(scrub('198.51.100.0/24'));
    assert.ok(!cf.observe().has('scrubbing|198.51.100.0/24'));
    assert.ok(!(await a.present())!.has('scrubbing|198.51.100.0/24'));
  });

  test('present() leaves out an always-on prefix: it is not ours to withdraw', async () => {
    const a = await started();
    assert.ok(cf.observe().has('scrubbing|192.0.2.0/24'));
    assert.ok(!(await a.present())!.has('scrubbing|192.0.2.0/24'));
  });

  test('options.prefix_ids skips the lookup', async () => {
    const id = [...cf.prefixes.values()].find((p) => p.cidr === '2001:db8:100::/48')!.id;
    const a = await started({ options: { account_id: cf.accountId, prefix_ids: { '2001:db8:100::/48': id } } });
    await a.announce(scrub('2001:db8:100::/48'));
    assert.deepEqual(cf.received.map((r) => r.method), ['PATCH']);
    assert.ok(cf.observe().has('scrubbing|2001:db8:100::/48'));
    await a.withdraw(scrub('2001:db8:100::/48'));
  });

  test('scrubbing a prefix the account does not have is a permanent error; withdrawing it succeeds', async () => {
    const a = await started();
    const err = await rejects(a.announce(scrub('203.0.113.0/24')));
    assert.equal(err.retryable, false);
    assert.match(err.message, /no IP prefix 203\.0\.113\.0\/24/);
    await a.withdraw(scrub('203.0.113.0/24'));
  });

  test('blackhole adds one Magic Firewall block rule first in the ruleset; twice is idempotent; withdraw deletes it', async () => {
    cf.rules.push({ id: 'a'.repeat(32), version: '1', action: 'allow', expression: 'ip.dst in {198.51.100.0/24}', description: 'operator allow', enabled: true, last_updated: '', ref: '' });
    const a = await started();
    await a.announce(bh('198.51.100.7/32'));
    await a.announce(bh('198.51.100.7/32'));
    const ours = cf.rules.filter((r) => r.description.startsWith('breakwater:'));
    assert.equal(ours.length, 1);
    assert.equal(cf.rules[0], ours[0], 'placed before the operator allow rule');
    assert.equal(ours[0]!.action, 'block');
    assert.equal(ours[0]!.expression, 'ip.dst in {198.51.100.7/32}');
    assert.equal(ours[0]!.description, 'breakwater:r-bh-198.51.100.7/32');
    assert.ok((await a.present())!.has('blackhole|198.51.100.7/32'));
    await a.withdraw(bh('198.51.100.7/32'));
    await a.withdraw(bh('198.51.100.7/32'));
    assert.ok(!cf.observe().has('blackhole|198.51.100.7/32'));
    assert.equal(cf.rules.length, 1, 'the operator rule is untouched');
    cf.rules.length = 0;
  });

  test('concurrent announces of one rule still add one firewall rule', async () => {
    const a = await started();
    await Promise.all([a.announce(bh('198.51.100.8/32')), a.announce(bh('198.51.100.8/32')), a.announce(bh('198.51.100.8/32'))]);
    assert.equal(cf.rules.filter((r) => r.expression === 'ip.dst in {198.51.100.8/32}').length, 1);
    await a.withdraw(bh('198.51.100.8/32'));
  });

  test('blackhole without options.ruleset_id names the key', async () => {
    const a = await started({ options: { account_id: cf.accountId } });
    const err = await rejects(a.announce(bh('198.51.100.9/32')));
    assert.match(err.message, /options\.ruleset_id/);
    assert.equal(err.retryable, false);
  });

  test('flowspec is refused', async () => {
    const a = await started();
    const err = await rejects(a.announce({ id: 'f', spec: { kind: 'flowspec', match: { destination: '198.51.100.0/24' }, action: { type: 'discard' } } }));
    assert.equal(err.retryable, false);
  });

  test('401 is permanent, 429 and 5xx retryable, each with Cloudflare\'s message and no token', async () => {
    const a = await started();
    for (const [mode, retryable, text] of [['unauthorized', false, 'Invalid API Token'], ['rate_limited', true, 'throttling'], ['server_error', true, 'Internal Server Error']] as const) {
      cf.mode = mode;
      const err = await rejects(a.announce(scrub('198.51.100.0/24')));
      assert.equal(err.retryable, retryable, mode);
      assert.ok(err.message.includes(text), err.message);
      assert.ok(!err.message.includes(cf.token));
    }
    cf.mode = 'ok';
  });

  test('a token Cloudflare does not know: 403 Authentication error, permanent, and test() says so without throwing', async () => {
    const a = await started({ authToken: 'not-the-token-0123456789' });
    const err = await rejects(a.announce(scrub('198.51.100.0/24')));
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 403: Authentication error \(code 10000\)/);
    assert.ok(!err.message.includes('not-the-token-0123456789'));
    const t = await a.test();
    assert.equal(t.ok, false);
    assert.match(t.message, /403/);
    cf.problems.length = 0; // the fake noted the unknown token, as it should
  });

  test('test() verifies the token with GET /user/tokens/verify', async () => {
    const a = await started();
    const t = await a.test();
    assert.equal(t.ok, true, t.message);
    assert.ok(t.latency_ms >= 0);
    assert.equal(cf.received.at(-1)!.path, '/user/tokens/verify');
  });

  test('no reply within timeoutMs is a retryable AdapterError', async () => {
    const a = await started({}, 150);
    cf.mode = 'hang';
    const err = await rejects(a.announce(scrub('198.51.100.0/24')));
    assert.equal(err.retryable, true);
    assert.match(err.message, /no reply within 150 ms/);
    cf.mode = 'ok';
  });

  test('bad options are refused by start() naming the key', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'options.account_id'],
      [{ account_id: 'nope' }, 'options.account_id'],
      [{ account_id: cf.accountId, ruleset_id: 42 }, 'options.ruleset_id'],
      [{ account_id: cf.accountId, prefix_ids: ['x'] }, 'options.prefix_ids'],
      [{ account_id: cf.accountId, prefix_ids: { '198.51.100.0/24': 'short' } }, 'options.prefix_ids.198.51.100.0/24'],
      [{ account_id: cf.accountId, acount_id: 'typo' }, 'options.acount_id'],
    ];
    for (const [options, key] of cases) {
      const err = await rejects(createCloudflareAdapter(config({ options }), deps()).start());
      assert.ok(err.message.startsWith(`${key}:`), `${err.message} names ${key}`);
      assert.equal(err.retryable, false);
    }
    const noToken = await rejects(createCloudflareAdapter(config({ authToken: null }), deps()).start());
    assert.match(noToken.message, /^auth_token: required/);
    const badUrl = await rejects(createCloudflareAdapter(config({ endpoint: 'ftp://x' }), deps()).start());
    assert.match(badUrl.message, /^endpoint:/);
  });

  test('the expression round-trips for both families', () => {
    for (const p of ['198.51.100.7/32', '2001:db8::1/128', '10.0.0.0/8']) assert.equal(prefixOfExpression(blockExpression(p)), p);
    assert.equal(prefixOfExpression('ip.src in {10.0.0.0/8}'), null);
  });
});
