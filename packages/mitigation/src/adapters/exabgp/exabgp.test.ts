// The exabgp adapter against a real ExaBGP 4.2 running our bridge, seen by a real BIRD upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeAdapterContract } from '../../testing/contract.ts';
import { exabgpHarness } from '../../testing/exabgp-harness.ts';
import { AdapterError } from '../../adapter.ts';
import { BridgeClient } from './bridge-client.ts';

const hold: Parameters<typeof exabgpHarness>[0] = {};
describeAdapterContract({
  ...exabgpHarness(hold),
  extraTests: () => {
    test('an "error" ack from ExaBGP is an AdapterError naming the command', async () => {
      const c = new BridgeClient(hold.bed!.config.endpoint, 3000);
      try {
        const ack = await c.send('announce route 198.18.7.77/32 next-hop self community [not-a-community]');
        assert.equal(ack.ok, false, 'ExaBGP refuses it');
        await assert.rejects(c.send('announce route 1.2.3.4/32\nannounce route 0.0.0.0/0'), AdapterError);
      } finally { c.close(); }
    });
  },
});
