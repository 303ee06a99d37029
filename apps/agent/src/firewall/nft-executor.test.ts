// The executor against the real nftables, inside a namespace of the test's own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { withNamespaces } from '@breakwater/testing';
import { namespacedProgram } from '../testing/namespaced-program.ts';
import { firewallExecutorContract } from './firewall-executor.contract.ts';
import { NftExecutor } from './nft-executor.ts';

const here = import.meta.dirname;
const script = (body: string) => `
  import { NftExecutor } from ${JSON.stringify(join(here, 'nft-executor.ts'))};
  const nft = new NftExecutor();
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
  ${body}`;

test('nftables: blocks and drops as set elements with timeouts, rate limits as tagged rules, all removable; a counted flood is dropped', { timeout: 60_000 }, async () => {
  await withNamespaces(async (n) => {
    const inVictim = (body: string) => {
      const r = spawnSync('ip', ['netns', 'exec', n.victim, process.execPath, '--input-type=module', '-e', script(body)], { encoding: 'utf8', timeout: 30_000, cwd: join(here, '..', '..') });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    };
    const [applied] = inVictim(`
      await nft.start();
      const a = await nft.apply(1, 'block_source', { address: ${JSON.stringify(n.attackerIp)}, ttl: 120 });
      await nft.apply(2, 'drop_port', { protocol: 'udp', port: 53, ttl: 60 });
      await nft.apply(3, 'rate_limit', { protocol: 'udp', port: 9999, pps: 1000, ttl: 60 });
      out(a);`);
    // A bounded flood from the blocked source: every packet is dropped before the stack.
    const COUNT = 3000;
    const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7777', '-i', 'u200', '-c', String(COUNT), '-q', n.victimIp], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'ignore', 'pipe'] });
    assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);
    const [state] = inVictim(`out({ counters: await nft.dropCounters(), block4: await nft.setElements('block4'), ports: await nft.setElements('dropports') });`);
    assert.ok(state.counters['bw-block4'] >= COUNT, `dropped ${state.counters['bw-block4']} of ${COUNT}`);
    assert.match(state.block4, new RegExp(`${n.attackerIp.replace(/\./g, '\\.')} timeout 2m`));
    assert.match(state.ports, /udp \. 53 timeout 1m/);
    assert.ok('bw-cmd-3' in state.counters, 'the rate-limit rule carries its command');
    const [after, refusal] = inVictim(`
      await nft.remove(${JSON.stringify(applied)});
      await nft.remove({ undo: { comment: 'bw-cmd-3' }, ttlSeconds: 60 });
      await nft.remove(${JSON.stringify(applied)}); // twice: no error
      out({ counters: await nft.dropCounters(), block4: await nft.setElements('block4') });
      await assert_rejects();
      async function assert_rejects() {
        try { await nft.apply(4, 'block_source', { address: '1.2.3.4; flush ruleset', ttl: 10 }); out({ refused: false }); }
        catch (e) { out({ refused: true, message: e.message }); }
      }
      await nft.stop();`);
    assert.ok(!after.block4.includes(n.attackerIp), 'the block is gone');
    assert.ok(!('bw-cmd-3' in after.counters), 'the rule is gone');
    assert.deepEqual([refusal.refused, /not an IP address/.test(refusal.message)], [true, true], 'nft syntax smuggled into an address is refused');
    const last = inVictim(`out({ ok: true })`);
    assert.deepEqual(last, [{ ok: true }]);
  });
});

firewallExecutorContract('nftables', async (fn) => {
  await withNamespaces(async (n) => {
    const nft = namespacedProgram(n.victim, 'nft');
    try {
      await fn({
        make: () => new NftExecutor({ nftPath: nft.path }),
        listing: async () => spawnSync(nft.path, ['list', 'ruleset'], { encoding: 'utf8' }).stdout,
      });
    } finally {
      nft.dispose();
    }
  });
});
