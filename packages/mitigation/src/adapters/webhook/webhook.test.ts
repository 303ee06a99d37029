import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AdapterError, type AdapterConfig, type AnnouncedRule } from '../../adapter.ts';
import { startWebhookFake, type WebhookFake } from '../../testing/fakes/webhook.ts';
import { createWebhookAdapter, signMitigationWebhook, verifyMitigationWebhook } from './index.ts';

const deps = (timeoutMs = 2000) => ({ now: Date.now, fetch, timeoutMs, reach: ['loopback'] as const });
const rule: AnnouncedRule = { id: 'r-1', spec: { kind: 'flowspec', match: { destination: '198.51.100.0/24', protocols: [17], destination_ports: [{ from: 53, to: 53 }] }, action: { type: 'discard' } } };

async function rejects(p: Promise<unknown>): Promise<AdapterError> {
  try { await p; } catch (err) { assert.ok(err instanceof AdapterError, String(err)); return err; }
  assert.fail('expected an AdapterError');
}

describe('webhook signature', () => {
  test('verifies what it signed, and nothing else', () => {
    fc.assert(fc.property(fc.string({ minLength: 4 }), fc.string(), fc.string(), (secret, body, other) => {
      const now = 1_700_000_000_000;
      const ts = Math.floor(now / 1000);
      const sig = signMitigationWebhook(secret, ts, body);
      assert.equal(verifyMitigationWebhook(secret, body, sig, String(ts), now), true);
      if (other !== body) assert.equal(verifyMitigationWebhook(secret, other, sig, String(ts), now), false);
      assert.equal(verifyMitigationWebhook(secret, body, sig, String(ts), now + 301_000), false, 'stale');
      assert.equal(verifyMitigationWebhook(`${secret}x`, body, sig, String(ts), now), false);
    }));
  });
});

describe('webhook adapter', () => {
  let hook: WebhookFake;
  const config = (over: Partial<AdapterConfig> = {}): AdapterConfig => ({ endpoint: `${hook.url}/hooks/breakwater`, authToken: hook.secret, options: {}, ...over });
  const started = async (over: Partial<AdapterConfig> = {}, timeoutMs = 2000) => {
    const a = createWebhookAdapter(config(over), deps(timeoutMs));
    await a.start();
    return a;
  };
  before(async () => { hook = await startWebhookFake(); });
  after(async () => { assert.deepEqual(hook.problems, []); await hook.stop(); });
  beforeEach(() => { assert.deepEqual(hook.problems, []); hook.mode = 'ok'; hook.received.length = 0; });

  test('announce and withdraw POST the signed JSON the receiver acts on', async () => {
    const a = await started({ options: { headers: { 'X-Tenant': 'acme' } } });
    await a.announce(rule);
    const req = hook.received[0]!;
    assert.equal(req.headers['x-tenant'], 'acme');
    assert.equal(req.json.event, 'mitigation.announce');
    assert.deepEqual(req.json.rule, { id: rule.id, spec: rule.spec });
    assert.ok(Math.abs(Date.parse(req.json.sent_at) - Date.now()) < 60_000);
    assert.equal(hook.rules.size, 1);
    assert.equal(await a.present(), null, 'a webhook cannot be asked');
    await a.withdraw(rule);
    assert.equal(hook.received[1]!.json.event, 'mitigation.withdraw');
    assert.equal(hook.rules.size, 0);
  });

  test('401 is permanent; 429 and 5xx are retryable; the secret never shows', async () => {
    const a = await started();
    for (const [mode, retryable] of [['unauthorized', false], ['rate_limited', true], ['server_error', true]] as const) {
      hook.mode = mode;
      const err = await rejects(a.announce(rule));
      assert.equal(err.retryable, retryable, mode);
      assert.ok(!err.message.includes(hook.secret));
    }
  });

  test('a wrong secret is refused by the receiver: permanent', async () => {
    const a = await started({ authToken: 'wrong-secret-value' });
    const err = await rejects(a.announce(rule));
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 401/);
    hook.problems.length = 0;
  });

  test('test() sends a signed mitigation.test that changes nothing', async () => {
    const a = await started();
    const r = await a.test();
    assert.equal(r.ok, true, r.message);
    assert.equal(hook.received[0]!.json.event, 'mitigation.test');
    assert.equal(hook.rules.size, 0);
    hook.mode = 'server_error';
    const down = await a.test();
    assert.equal(down.ok, false);
    assert.match(down.message, /HTTP 503/);
  });

  test('no reply within timeoutMs is retryable', async () => {
    const a = await started({}, 150);
    hook.mode = 'hang';
    const err = await rejects(a.announce(rule));
    assert.equal(err.retryable, true);
    assert.match(err.message, /no reply within 150 ms/);
  });

  test('bad config is refused by start() naming the key', async () => {
    const cases: [Partial<AdapterConfig>, RegExp][] = [
      [{ authToken: null }, /^auth_token: required/],
      [{ endpoint: 'not a url' }, /^endpoint:/],
      [{ options: { headers: 'x' } }, /^options\.headers:/],
      [{ options: { headers: { 'X-Breakwater-Signature': 'forged' } } }, /^options\.headers\.X-Breakwater-Signature:/],
      [{ options: { headers: { 'X-A': 'a\r\nb' } } }, /^options\.headers\.X-A:/],
      [{ options: { secret: 'x' } }, /^options\.secret: unknown option/],
    ];
    for (const [over, re] of cases) {
      const err = await rejects(createWebhookAdapter(config(over), deps()).start());
      assert.match(err.message, re);
      assert.equal(err.retryable, false);
    }
  });
});
