// Commands arrive on the push stream: with the config poll an hour away and no incident to
// trigger one, a command queued through the fleet API is applied within about a second —
// also after the server was restarted (the agent reconnects by itself).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from './testing/stack.ts';

// How fast is measured, not asserted (a loaded CI machine is not a benchmark): the time is reported;
// that it came by push is what the test holds, since the config poll is an hour away.
test('a queued command reaches the agent over the push stream and is applied, with no config poll in between', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-push-'));
  try {
    await withNamespaces(async (n) => {
      const stack = await startStack(n, dir, { baseline: { enabled: false } }, { agentConfig: { config_poll_seconds: 3600 } });
      const nft = (...args: string[]) => spawnSync('ip', ['netns', 'exec', n.victim, 'nft', ...args], { encoding: 'utf8' }).stdout;
      try {
        await waitFor('push stream connected', () => stack.get(`/api/v1/nodes/${stack.nodeUuid}`).data?.agent?.command_stream === true, 30_000, 200);
        for (const address of ['198.51.100.23', '198.51.100.24']) {
          const t0 = Date.now();
          const queued = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address, ttl: 600 } });
          assert.equal(queued.status, 'queued');
          // every check runs a process in the namespace (~50 ms): poll nft directly, no sleep
          await waitFor(`${address} in the block set`, () => nft('list', 'set', 'inet', 'breakwater', 'block4').includes(address), 15_000, 10);
          t.diagnostic(`${address} applied ${Date.now() - t0} ms after it was queued`);
          const id = queued.command_id.replace('cmd_', '');
          await waitFor('the agent says it came by push', () => new RegExp(`command ${id} applied \\(push\\)`).test(stack.agentLog()), 3000, 10);
          await waitFor('acknowledged', () => stack.get(`/api/agents/${stack.nodeUuid}/commands`).find((c: { command_id: string }) => c.command_id === queued.command_id)?.status === 'applied', 5000, 100);
        }
        // The server goes away and comes back: the agent reconnects by itself and push works again.
        await stack.stopServer();
        await waitFor('the agent notices', () => /command stream closed/.test(stack.agentLog()), 10_000, 50);
        await stack.startServer();
        await waitFor('stream reconnected', () => /command stream connected again/.test(stack.agentLog()), 30_000, 100);
        const t0 = Date.now();
        const again = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address: '198.51.100.25', ttl: 600 } });
        await waitFor('applied after the reconnect', () => nft('list', 'set', 'inet', 'breakwater', 'block4').includes('198.51.100.25'), 15_000, 10);
        t.diagnostic(`applied ${Date.now() - t0} ms after it was queued, after the reconnect`);
        await waitFor('by push', () => new RegExp(`command ${again.command_id.replace('cmd_', '')} applied \\(push\\)`).test(stack.agentLog()), 3000, 10);
        assert.doesNotMatch(stack.agentLog(), /applied \(poll\)/, 'nothing came through the config poll');
      } finally {
        await stack.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
