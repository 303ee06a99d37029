// The iptables executor against the real kernel (iptables-nft), inside a namespace of the
// test's own: the shared contract, and a counted flood dropped by a block.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { withNamespaces } from '@breakwater/testing';
import { namespacedProgram } from '../testing/namespaced-program.ts';
import { firewallExecutorContract } from './firewall-executor.contract.ts';
import { IptablesExecutor } from './iptables-executor.ts';

function tools(ns: string) {
  const p = ['iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save'].map((t) => namespacedProgram(ns, t));
  return {
    opts: { iptablesRestore: p[0]!.path, ip6tablesRestore: p[1]!.path, iptablesSave: p[2]!.path, ip6tablesSave: p[3]!.path },
    dispose: () => p.forEach((x) => x.dispose()),
  };
}

test('iptables: a blocked source\'s counted flood is dropped in the raw table; the management path passes; stop leaves no trace', { timeout: 60_000 }, async () => {
  await withNamespaces(async (n) => {
    const t = tools(n.victim);
    try {
      const before = spawnSync('ip', ['netns', 'exec', n.victim, 'iptables-save', '-t', 'raw'], { encoding: 'utf8' }).stdout;
      const fw = new IptablesExecutor({ ...t.opts, management: [{ address: n.attackerIp, port: 8443 }] });
      await fw.start();
      const rule = await fw.apply(7, 'block_source', { address: n.attackerIp, ttl: 60 });
      const COUNT = 2000;
      spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7777', '-i', 'u200', '-c', String(COUNT), '-q', n.victimIp], { timeout: 30_000, stdio: 'ignore' });
      // The server's own connection (source port 8443) is exempt even from a block of its address.
      spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '-S', '-s', '8443', '-k', '-p', '40000', '-i', 'u1000', '-c', '50', '-q', n.victimIp], { timeout: 30_000, stdio: 'ignore' });
      const counters = await fw.dropCounters();
      assert.ok(counters['bw-cmd-7']! >= COUNT && counters['bw-cmd-7']! < COUNT + 50, `dropped ${counters['bw-cmd-7']} of ${COUNT} (+0 of the 50 management packets)`);
      await fw.remove(rule);
      assert.ok(!(await fw.listing()).includes('bw-cmd-7'));
      await fw.stop();
      const after = spawnSync('ip', ['netns', 'exec', n.victim, 'iptables-save', '-t', 'raw'], { encoding: 'utf8' }).stdout;
      assert.ok(!after.includes('BW-GUARD'), after);
      assert.equal(before.includes('BW-GUARD'), false);
    } finally {
      t.dispose();
    }
  });
});

firewallExecutorContract('iptables', async (fn) => {
  await withNamespaces(async (n) => {
    const t = tools(n.victim);
    try {
      const fw = () => new IptablesExecutor(t.opts);
      await fn({ make: fw, listing: () => fw().listing() });
    } finally {
      t.dispose();
    }
  });
});
