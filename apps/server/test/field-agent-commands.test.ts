// The recorded field agent of paths.md: it polls GET agent/config (reading every key with its
// own type — service_ports as an object, flow and l7 as objects with `enabled`), applies each
// pending command of command_type "iptables" and acknowledges it with POST commands/ack. Each
// firewall intent reaches it as an iptables-restore document that the real iptables-restore
// (and ip6tables-restore for IPv6) accepts with --test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { iptablesText } from '../src/services/commands/iptables-text.ts';
import { startTestServer, type TestServer } from './harness.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const FIELD_AGENT = { 'user-agent': 'FTAgent/2.4.1 (linux)' };

/** Type of each key as the field agent reads it (paths.md). */
function assertFieldTypes(c: Record<string, any>) {
  const is = (key: string, type: string, v = c[key]) => assert.equal(Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v, type, `${key}: ${JSON.stringify(v)}`);
  is('node_id', 'number');
  is('pending_commands', 'array');
  for (const key of ['attack_cooldown', 'attack_holddown']) {
    is(key, 'number');
    assert.ok(Number.isInteger(c[key]), key);
  }
  is('pcap_enabled', 'boolean');
  is('ip_blocklist', 'array');
  is('suspended', 'boolean');
  is('service_ports', 'object');
  is('enabled', 'boolean', c.service_ports.enabled);
  for (const key of ['flow', 'l7']) {
    is(key, 'object');
    is(`${key}.enabled`, 'boolean', c[key].enabled);
  }
  // unknown numbers are left out rather than sent as null (it reads them with .get(key, default))
  for (const key of ['pps_threshold', 'bps_threshold']) if (key in c) is(key, 'number');
  is('baseline', 'object');
  for (const v of Object.values(c.baseline)) assert.equal(typeof v, 'number');
  for (const p of c.pending_commands) {
    is('id', 'number', p.id);
    for (const key of ['command', 'command_type', 'command_text', 'title']) is(key, 'string', p[key]);
  }
}

function restoreTest(family: 'iptables' | 'ip6tables', text: string) {
  return spawnSync(`${family}-restore`, ['--test'], { input: text, encoding: 'utf8', timeout: 10_000 });
}

for (const backend of BACKENDS) {
  describe(`the recorded field agent's poll and ack on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('config keys have the field agent’s types, off and on; every firewall intent comes as iptables text iptables-restore --test accepts; the ack is stored', async () => {
      const n = await t.deploy(t.admin, undefined, '203.0.113.60');
      const off = await t.agent(n, 'GET', '/config', undefined, FIELD_AGENT);
      assert.equal(off.status, 200);
      assertFieldTypes(off.body);
      assert.deepEqual(off.body.service_ports, { enabled: false });
      assert.deepEqual(off.body.flow, { enabled: false });
      assert.deepEqual(off.body.l7, { enabled: false });
      assert.equal('pps_threshold' in off.body, false, 'no threshold set: left out');

      const intents = [
        { type: 'block_source', params: { address: '198.51.100.7', ttl: 600 } },
        { type: 'block_prefix', params: { prefix: '198.51.100.0/24' } },
        { type: 'block_prefix', params: { prefix: '2001:db8:77::/48' } },
        { type: 'block_source', params: { address: '2001:db8::dead:beef' } },
        { type: 'drop_port', params: { protocol: 'udp', port: 11211 } },
        { type: 'drop_protocol', params: { protocol: 'gre' } },
        { type: 'drop_protocol', params: { protocol: 'icmpv6' } },
        { type: 'rate_limit', params: { protocol: 'udp', port: 53, pps: 2000 } },
        { type: 'rate_limit', params: { protocol: 'icmp', port: 0, pps: 50_000_000 } },
        { type: 'syn_protection', params: { pps: 1000 } },
      ];
      const ids: number[] = [];
      for (const body of intents) {
        const r = await t.request('POST', `/api/agents/${n.uuid}/commands`, { body });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        ids.push(Number(r.body.command_id.slice(4)));
      }
      const cookie = await t.login(t.admin.email, t.admin.password);
      const set = await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie, ...CSRF }, body: { settings: { service_ports: [80, 443] } } });
      assert.equal(set.status, 200, JSON.stringify(set.body));

      // The agent's poll: GET config, apply what it can, ack each.
      const polled = await t.agent(n, 'GET', '/config', undefined, FIELD_AGENT);
      assertFieldTypes(polled.body);
      assert.equal(polled.body.service_ports.enabled, true);
      assert.deepEqual(polled.body.service_ports.ports, [80, 443]);
      for (const key of ['sensitivity', 'response_mode', 'block_scope']) assert.equal(typeof polled.body.service_ports[key], 'string', key);
      for (const key of ['pps_threshold', 'block_cooldown']) assert.ok(Number.isInteger(polled.body.service_ports[key]), key);
      assert.ok(Array.isArray(polled.body.service_ports.ip_safelist));
      const pending = polled.body.pending_commands as Record<string, any>[];
      assert.deepEqual(pending.map((p) => p.id), ids);
      const families: string[] = [];
      for (const p of pending) {
        assert.ok(p.command_type === 'iptables' || p.command_type === 'ip6tables', p.command_type);
        families.push(p.command_type);
        assert.equal(p.command, p.command_text, 'the reference\'s older form carries the same text');
        assert.match(p.command_text, new RegExp(`^\\*filter\\n-I INPUT .* -m comment --comment bw-cmd-${p.id} -j DROP\\nCOMMIT\\n$`));
        const r = restoreTest(p.command_type, p.command_text);
        assert.equal(r.status, 0, `${p.command_type}-restore --test refused ${JSON.stringify(p.command_text)}: ${r.stderr}`);
        const ack = await t.agent(n, 'POST', '/commands/ack', { command_id: p.id, status: 'applied', error: null }, FIELD_AGENT);
        assert.equal(ack.status, 200);
      }
      assert.deepEqual(families, ['iptables', 'iptables', 'ip6tables', 'ip6tables', 'iptables', 'iptables', 'ip6tables', 'iptables', 'iptables', 'iptables']);
      assert.match(pending[0]!.command_text, /-I INPUT -s 198\.51\.100\.7\/32 /);
      assert.match(pending[3]!.command_text, /-I INPUT -s 2001:db8::dead:beef\/128 /);
      assert.match(pending[8]!.command_text, /--hashlimit-above 1000000\/second/, 'above what hashlimit takes: its highest rate');
      assert.equal((await t.agent(n, 'GET', '/config', undefined, FIELD_AGENT)).body.pending_commands.length, 0, 'acked: no longer pending');
      const h = (await t.request('GET', `/api/agents/${n.uuid}/commands`)).body as { status: string }[];
      assert.ok(h.every((c) => c.status === 'applied'));
      // Other fleet commands keep their own type: the field agent does not know them and leaves them.
      await t.request('POST', `/api/agents/${n.uuid}/commands`, { body: { type: 'service_status', params: { unit: 'nginx' } } });
      const other = (await t.agent(n, 'GET', '/config', undefined, FIELD_AGENT)).body.pending_commands[0];
      assert.equal(other.command_type, 'service_status');
    });

    test('the iptables text is built from typed values only: what does not parse renders nothing', () => {
      assert.equal(iptablesText(5, 'block_source', { address: '1.2.3.4 -j ACCEPT' }), null);
      assert.equal(iptablesText(5, 'block_prefix', { prefix: '10.0.0.0/8\n-F' }), null);
      assert.equal(iptablesText(5, 'drop_port', { protocol: 'udp', port: '53 -j ACCEPT' }), null);
      assert.equal(iptablesText(5, 'drop_protocol', { protocol: 'all' }), null);
      assert.equal(iptablesText(0, 'syn_protection', { pps: 5 }), null);
      // a prefix with host bits is written as its network
      assert.match(iptablesText(9, 'block_prefix', { prefix: '198.51.100.77/24' })!.command_text, / -s 198\.51\.100\.0\/24 /);
    });
  });
}
