// What every FirewallExecutor promises, run by each implementation's test (nftables in a
// namespace of the test's own, the recording fake in memory): an empty rule set of its own
// at start, every command type applied with its TTL and taken back, removal twice no error,
// bad input refused naming the field before anything is applied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FirewallError, type FirewallExecutor } from './firewall-executor.ts';

export interface FirewallHarness {
  /** A new executor (not started). */
  make(): FirewallExecutor;
  /** Text that shows what the firewall holds now: blocked addresses and the rules' `bw-cmd-ID` tags. */
  listing(): Promise<string>;
}

export function firewallExecutorContract(name: string, withHarness: (fn: (h: FirewallHarness) => Promise<void>) => Promise<void>, timeout = 60_000): void {
  test(`${name}: the firewall executor contract`, { timeout }, async (t) => {
    await withHarness(async (h) => {
      const fw = h.make();
      await t.test('starts empty, and empty again after stop and start', async () => {
        await fw.start();
        assert.ok(!(await h.listing()).includes('192.0.2.77'));
        await fw.apply(1, 'block_source', { address: '192.0.2.77', ttl: 60 });
        assert.ok((await h.listing()).includes('192.0.2.77'));
        await fw.stop();
        await fw.start();
        assert.ok(!(await h.listing()).includes('192.0.2.77'), 'a new start replaces what an earlier run left');
      });

      await t.test('applies every command type with its TTL (600 s unless given) and takes each back; removing twice is no error', async () => {
        const rules = [
          await fw.apply(11, 'block_source', { address: '192.0.2.77', ttl: 120 }),
          await fw.apply(12, 'block_prefix', { prefix: '2001:db8:77::/48', ttl: 60 }),
          await fw.apply(13, 'drop_port', { protocol: 'udp', port: 53, ttl: 60 }),
          await fw.apply(14, 'drop_protocol', { protocol: 'gre' }),
          await fw.apply(15, 'rate_limit', { protocol: 'udp', port: 9999, pps: 1000, ttl: 60 }),
          await fw.apply(16, 'syn_protection', { pps: 5000, ttl: 30 }),
        ];
        assert.deepEqual(rules.map((r) => r.ttlSeconds), [120, 60, 60, 600, 60, 30]);
        const held = await h.listing();
        for (const s of ['192.0.2.77', '2001:db8:77::/48', 'bw-cmd-15', 'bw-cmd-16']) assert.ok(held.includes(s), `${s} in ${held}`);
        for (const r of rules) await fw.remove(r);
        const after = await h.listing();
        for (const s of ['192.0.2.77', '2001:db8:77::/48', 'bw-cmd-15', 'bw-cmd-16']) assert.ok(!after.includes(s), `${s} removed`);
        for (const r of rules) await fw.remove(r);
      });

      await t.test('refuses bad input naming the field, and applies nothing', async () => {
        const before = await h.listing();
        const refusals: [Parameters<FirewallExecutor['apply']>, RegExp][] = [
          [[21, 'block_source', { address: '1.2.3.4; flush ruleset', ttl: 10 }], /^address: not an IP address/],
          [[22, 'block_prefix', { prefix: '10.0.0.0/33' }], /^prefix length: must be an integer from 0 to 32/],
          [[23, 'drop_port', { protocol: 'icmp', port: 1 } as never], /^protocol: must be tcp or udp/],
          [[24, 'drop_port', { protocol: 'udp', port: 0 }], /^port: must be an integer from 1 to 65535/],
          [[25, 'drop_protocol', { protocol: 'ip; flush' } as never], /^protocol: must be one of tcp, udp/],
          [[26, 'block_source', { address: '192.0.2.1', ttl: 0 }], /^ttl: must be an integer from 1 to 604800/],
          [[27, 'syn_protection', { pps: 0 }], /^pps: must be an integer from 1 to 100000000/],
          [[0, 'block_source', { address: '192.0.2.1' }], /^command id: must be an integer/],
        ];
        for (const [args, message] of refusals) {
          await assert.rejects(fw.apply(...args), (e: Error) => e instanceof FirewallError && message.test(e.message), `${JSON.stringify(args)} → ${message}`);
        }
        assert.equal(await h.listing(), before);
        await fw.stop();
      });
    });
  });
}
