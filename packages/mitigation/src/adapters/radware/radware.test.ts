import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterError, type AdapterConfig, type AnnouncedRule } from '../../adapter.ts';
import { startRadwareFake, type RadwareFake } from '../../testing/fakes/radware.ts';
import { createRadwareAdapter } from './index.ts';
import { entryName } from './radware.ts';

const deps = (timeoutMs = 2000) => ({ now: Date.now, fetch, timeoutMs, reach: ['loopback'] as const });
const bh = (prefix: string): AnnouncedRule => ({ id: `r-${prefix}`, spec: { kind: 'blackhole', prefix, next_hop: null, communities: [] } });

async function rejects(p: Promise<unknown>): Promise<AdapterError> {
  try { await p; } catch (err) { assert.ok(err instanceof AdapterError, String(err)); return err; }
  assert.fail('expected an AdapterError');
}

describe('radware adapter', () => {
  let rw: RadwareFake;
  const config = (over: Partial<AdapterConfig> = {}): AdapterConfig => ({ endpoint: rw.url, authToken: rw.password, options: { username: rw.username, device_ip: rw.deviceIp }, ...over });
  const started = async (over: Partial<AdapterConfig> = {}, timeoutMs = 2000) => {
    const a = createRadwareAdapter(config(over), deps(timeoutMs));
    await a.start();
    return a;
  };
  before(async () => { rw = await startRadwareFake(); });
  after(async () => { assert.deepEqual(rw.problems, []); await rw.stop(); });
  beforeEach(() => { assert.deepEqual(rw.problems, []); rw.mode = 'ok'; rw.received.length = 0; rw.table.clear(); });

  test('announce: login, lock, one Block List entry to the destination, update policies, unlock; twice is idempotent', async () => {
    const a = await started();
    const before = rw.updates;
    await a.announce(bh('198.51.100.7/32'));
    await a.announce(bh('198.51.100.7/32'));
    const e = rw.table.get(entryName('198.51.100.7/32'));
    assert.ok(e, 'entry created');
    assert.equal(e.rsNewBlockListSrcNetwork, 'any');
    assert.equal(e.rsNewBlockListDstNetwork, '198.51.100.7');
    assert.equal(e.rsNewBlockListDescription, 'breakwater r-198.51.100.7/32');
    assert.equal(rw.table.size, 1);
    assert.equal(rw.updates, before + 1);
    assert.deepEqual(rw.received.filter((r) => r.method !== 'GET').map((r) => r.path.split('/').at(-1)), ['login', 'lock', entryName('198.51.100.7/32'), 'updatepolicies', 'unlock']);
    assert.deepEqual([...(await a.present())!], ['blackhole|198.51.100.7/32']);
    await a.withdraw(bh('198.51.100.7/32'));
    await a.withdraw(bh('198.51.100.7/32'));
    assert.equal(rw.table.size, 0);
  });

  test('a network prefix is written in CIDR; IPv6 hosts bare', async () => {
    const a = await started();
    await a.announce(bh('198.51.100.0/24'));
    await a.announce(bh('2001:db8::5/128'));
    assert.deepEqual([...rw.observe()].sort(), ['blackhole|198.51.100.0/24', 'blackhole|2001:db8::5/128']);
    assert.deepEqual([...(await a.present())!].sort(), ['blackhole|198.51.100.0/24', 'blackhole|2001:db8::5/128']);
  });

  test('present() ignores entries the operator made', async () => {
    rw.table.set('operator', { rsNewBlockListName: 'operator', rsNewBlockListSrcNetwork: 'any', rsNewBlockListDstNetwork: '192.0.2.1', rsNewBlockListState: '1' });
    const a = await started();
    assert.deepEqual([...(await a.present())!], []);
  });

  test('the older Black List table with options.table = "black"', async () => {
    const old = await startRadwareFake('rsNewBlackListTable');
    try {
      const a = createRadwareAdapter({ endpoint: old.url, authToken: old.password, options: { username: old.username, device_ip: old.deviceIp, table: 'black', update_policies: false } }, deps());
      await a.start();
      await a.announce(bh('198.51.100.8/32'));
      assert.ok(old.observe().has('blackhole|198.51.100.8/32'));
      assert.equal(old.updates, 0, 'update_policies: false');
      assert.deepEqual(old.problems, []);
    } finally { await old.stop(); }
  });

  test('an expired session is renewed once', async () => {
    const a = await started();
    await a.announce(bh('198.51.100.9/32'));
    rw.expireSessions();
    await a.withdraw(bh('198.51.100.9/32'));
    assert.equal(rw.received.filter((r) => r.path === '/mgmt/system/user/login').length, 2);
  });

  test('wrong password: permanent, with Vision\'s message and no password', async () => {
    const a = await started({ authToken: 'not-the-password-1' });
    const err = await rejects(a.announce(bh('198.51.100.10/32')));
    assert.equal(err.retryable, false);
    assert.match(err.message, /Login failed/);
    assert.ok(!err.message.includes('not-the-password-1'));
    assert.equal((await a.test()).ok, false);
  });

  test('403 is permanent, 429 and 5xx retryable', async () => {
    const a = await started();
    for (const [mode, retryable] of [['unauthorized', false], ['rate_limited', true], ['server_error', true]] as const) {
      rw.mode = mode;
      const err = await rejects(a.announce(bh('198.51.100.11/32')));
      assert.equal(err.retryable, retryable, mode);
      assert.ok(!err.message.includes(rw.password));
    }
  });

  test('test() checks Vision manages the device', async () => {
    assert.equal((await (await started()).test()).ok, true);
    const other = await started({ options: { username: rw.username, device_ip: '10.9.9.9' } });
    const t = await other.test();
    assert.equal(t.ok, false);
    assert.match(t.message, /does not manage a device at 10\.9\.9\.9/);
  });

  test('no reply within timeoutMs is retryable', async () => {
    const a = await started({}, 150);
    rw.mode = 'hang';
    const err = await rejects(a.announce(bh('198.51.100.12/32')));
    assert.equal(err.retryable, true);
    assert.match(err.message, /no reply within 150 ms/);
  });

  test('bad options are refused by start() naming the key', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ device_ip: '10.0.0.1' }, /^options\.username: required/],
      [{ username: 'u' }, /^options\.device_ip: required/],
      [{ username: 'u', device_ip: 'dp1; rm' }, /^options\.device_ip:/],
      [{ username: 'u', device_ip: '10.0.0.1', table: 'white' }, /^options\.table: must be one of block, black/],
      [{ username: 'u', device_ip: '10.0.0.1', update_policies: 'yes' }, /^options\.update_policies:/],
    ];
    for (const [options, re] of cases) {
      const err = await rejects(createRadwareAdapter(config({ options }), deps()).start());
      assert.match(err.message, re);
      assert.equal(err.retryable, false);
    }
  });
});
