// The gobgp adapter against a real gobgpd, seen by a real BIRD upstream and a second gobgpd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@breakwater/testing';
import { ruleKey } from '../../rule-key.ts';
import { blackholeRule, describeAdapterContract, richFlowRule } from '../../testing/contract.ts';
import { gobgpHarness, type GobgpBed } from '../../testing/gobgp-harness.ts';

const hold: { bed?: GobgpBed } = {};
describeAdapterContract({
  ...gobgpHarness(hold),
  extraTests: (inst) => {
    test('the second (GoBGP) upstream peer sees the same blackholes and flowspec rules as BIRD', async () => {
      const bed = hold.bed;
      assert.ok(bed, 'the contract suite started the bed');
      await bed.waitSessions();
      const a = inst().adapter;
      const rules = [blackholeRule('198.18.7.50/32'), blackholeRule('2001:db8:7::50/128'), richFlowRule()];
      for (const r of rules) await a.announce(r);
      const keys = rules.map((r) => ruleKey(r.spec));
      await waitFor('both peers to see every rule', async () => {
        const [b, g] = [await bed.upstream.observe(), await bed.observeSecondPeer()];
        return keys.every((k) => b.has(k) && g.has(k));
      }, 10_000, 50);
      for (const r of rules) await a.withdraw(r);
      await waitFor('both peers to lose every rule', async () => {
        const [b, g] = [await bed.upstream.observe(), await bed.observeSecondPeer()];
        return keys.every((k) => !b.has(k) && !g.has(k));
      }, 10_000, 50);
    });
  },
});
