import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterError, type AdapterConfig, type AnnouncedRule } from '../../adapter.ts';
import { startF5Fake, type F5Fake } from '../../testing/fakes/f5.ts';
import { createF5Adapter } from './index.ts';

const deps = (timeoutMs = 2000) => ({ now: Date.now, fetch, timeoutMs, reach: ['loopback'] as const });
const bh = (prefix: string): AnnouncedRule => ({ id: `r-${prefix}`, spec: { kind: 'blackhole', prefix, next_hop: null, communities: [] } });

async function rejects(p: Promise<unknown>): Promise<AdapterError> {
  try { await p; } catch (err) { assert.ok(err instanceof AdapterError, String(err)); return err; }
  assert.fail('expected an AdapterError');
}

describe('f5 adapter', () => {
  let f5: F5Fake;
  const config = (over: Partial<AdapterConfig> = {}): AdapterConfig => ({ endpoint: f5.url, authToken: f5.password, options: { username: f5.username }, ...over });
  const started = async (over: Partial<AdapterConfig> = {}, timeoutMs = 2000) => {
    const a = createF5Adapter(config(over), deps(timeoutMs));
    await a.start();
    return a;
  };
  before(async () => { f5 = await startF5Fake(); });
  after(async () => { assert.deepEqual(f5.problems, []); await f5.stop(); });
  beforeEach(() => { assert.deepEqual(f5.problems, []); f5.mode = 'ok'; f5.received.length = 0; f5.lists.clear(); });

  test('token auth: logs in once, creates the address list, then patches entries; withdraw removes one', async () => {
    const a = await started();
    await a.announce(bh('198.51.100.7/32'));
    await a.announce(bh('2001:db8::7/128'));
    await a.announce(bh('198.51.100.7/32'));
    assert.deepEqual(f5.lists.get('/Common/breakwater_blackhole'), ['198.51.100.7/32', '2001:db8::7/128']);
    assert.equal(f5.received.filter((r) => r.path === '/mgmt/shared/authn/login').length, 1);
    assert.ok(f5.received.filter((r) => r.path !== '/mgmt/shared/authn/login').every((r) => typeof r.headers['x-f5-auth-token'] === 'string'));
    assert.deepEqual([...(await a.present())!].sort(), ['blackhole|198.51.100.7/32', 'blackhole|2001:db8::7/128']);
    await a.withdraw(bh('198.51.100.7/32'));
    await a.withdraw(bh('198.51.100.7/32'));
    assert.deepEqual(f5.lists.get('/Common/breakwater_blackhole'), ['2001:db8::7/128']);
  });

  test('entries BIG-IP shows without a mask are host prefixes', async () => {
    f5.lists.set('/Common/breakwater_blackhole', ['198.51.100.9', '2001:db8::9']);
    const a = await started();
    assert.deepEqual([...(await a.present())!].sort(), ['blackhole|198.51.100.9/32', 'blackhole|2001:db8::9/128']);
    await a.announce(bh('198.51.100.9/32'));
    assert.equal(f5.lists.get('/Common/breakwater_blackhole')!.length, 2, 'already there');
    await a.withdraw(bh('198.51.100.9/32'));
    assert.deepEqual(f5.lists.get('/Common/breakwater_blackhole'), ['2001:db8::9']);
  });

  test('an expired token is renewed once', async () => {
    const a = await started();
    await a.announce(bh('198.51.100.10/32'));
    f5.expireTokens();
    await a.withdraw(bh('198.51.100.10/32'));
    assert.equal(f5.received.filter((r) => r.path === '/mgmt/shared/authn/login').length, 2);
  });

  test('basic auth, another partition and list name', async () => {
    f5.lists.set('/Tenant/bw', []);
    const a = await started({ options: { username: f5.username, auth: 'basic', partition: 'Tenant', address_list: 'bw' } });
    await a.announce(bh('198.51.100.11/32'));
    assert.deepEqual(f5.lists.get('/Tenant/bw'), ['198.51.100.11/32']);
    assert.ok(f5.received.every((r) => String(r.headers.authorization).startsWith('Basic ')));
  });

  test('a wrong password: login 401, permanent, password not in the message; test() reports it', async () => {
    const a = await started({ authToken: 'wrong-password-123' });
    const err = await rejects(a.announce(bh('198.51.100.12/32')));
    assert.equal(err.retryable, false);
    assert.match(err.message, /f5: login: HTTP 401: Authentication failed/);
    assert.ok(!err.message.includes('wrong-password-123'));
    const t = await a.test();
    assert.equal(t.ok, false);
  });

  test('401 on calls is permanent after one renewal; 429 and 5xx are retryable', async () => {
    const a = await started();
    await a.announce(bh('198.51.100.13/32'));
    for (const [mode, retryable] of [['unauthorized', false], ['rate_limited', true], ['server_error', true]] as const) {
      f5.mode = mode;
      const err = await rejects(a.announce(bh('198.51.100.14/32')));
      assert.equal(err.retryable, retryable, mode);
      assert.ok(!err.message.includes(f5.password));
    }
  });

  test('test() reads /mgmt/tm/sys/version', async () => {
    const a = await started();
    const t = await a.test();
    assert.equal(t.ok, true, t.message);
    assert.match(t.message, /17\.1\.0/);
  });

  test('no reply within timeoutMs is retryable', async () => {
    const a = await started({}, 150);
    f5.mode = 'hang';
    const err = await rejects(a.announce(bh('198.51.100.15/32')));
    assert.equal(err.retryable, true);
    assert.match(err.message, /no reply within 150 ms/);
  });

  test('bad options are refused by start() naming the key', async () => {
    const cases: [Partial<AdapterConfig>, RegExp][] = [
      [{ options: {} }, /^options\.username: required/],
      [{ options: { username: 'u', auth: 'ntlm' } }, /^options\.auth: must be one of token, basic/],
      [{ options: { username: 'u', address_list: 'bad name' } }, /^options\.address_list:/],
      [{ options: { username: 'u', partition: '/Common' } }, /^options\.partition:/],
      [{ options: { username: 'u', list: 'x' } }, /^options\.list: unknown option/],
      [{ authToken: null }, /^auth_token: required/],
    ];
    for (const [over, re] of cases) {
      const err = await rejects(createF5Adapter(config(over), deps()).start());
      assert.match(err.message, re);
      assert.equal(err.retryable, false);
    }
  });

  test('scrubbing is refused (blackhole only)', async () => {
    const a = await started();
    await rejects(a.announce({ id: 's', spec: { kind: 'scrubbing', prefix: '198.51.100.0/24' } }));
  });
});
