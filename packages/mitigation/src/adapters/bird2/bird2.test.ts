// The bird2 adapter against a real BIRD 2 speaker, seen by a real BIRD 2 upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleKey } from '../../rule-key.ts';
import { blackholeRule, describeAdapterContract } from '../../testing/contract.ts';
import { BIRD2_INCLUDE_FILE, bird2Harness, type Bird2Bed } from '../../testing/bird2-harness.ts';
import { testDeps } from '../../testing/gobgp-harness.ts';
import { AdapterError } from '../../adapter.ts';
import { createBird2Adapter } from './index.ts';

const hold: { bed?: Bird2Bed } = {};
describeAdapterContract({
  ...bird2Harness(hold),
  extraTests: (inst) => {
    test('a new adapter on the same file keeps the rules a previous one announced', async () => {
      const bed = hold.bed!;
      const rule = blackholeRule('198.18.7.60/32');
      await inst().adapter.announce(rule);
      const again = createBird2Adapter(bed.config, testDeps(3000, bed.local));
      await again.start();
      try {
        const present = await again.present();
        assert.ok(present?.has(ruleKey(rule.spec)));
        // A second rule through the new adapter does not drop the first one.
        const other = blackholeRule('198.18.7.61/32');
        await again.announce(other);
        const after = await again.present();
        assert.ok(after?.has(ruleKey(rule.spec)) && after.has(ruleKey(other.spec)));
        await again.withdraw(other);
        await again.withdraw(rule);
      } finally { await again.stop(); }
      await inst().adapter.start(); // re-read the file the other adapter changed
    });

    test('a configuration BIRD refuses is an AdapterError and the file is rolled back', async () => {
      const bed = hold.bed!;
      const path = join(bed.local.birdIncludeDir!, BIRD2_INCLUDE_FILE);
      const before = readFileSync(path, 'utf8');
      // Tables that do not exist in the speaker's bird.conf make BIRD refuse the include.
      const a = createBird2Adapter({ ...bed.config, options: { ...bed.config.options, flow4_table: 'nosuchtable' } }, testDeps(3000, bed.local));
      await a.start();
      await assert.rejects(a.announce(blackholeRule('198.18.7.62/32')), (err) => err instanceof AdapterError && /bird refused|nosuchtable/i.test(err.message));
      assert.equal(readFileSync(path, 'utf8'), before);
      assert.equal((await inst().adapter.test()).ok, true, 'BIRD still runs its old configuration');
    });
  },
});
