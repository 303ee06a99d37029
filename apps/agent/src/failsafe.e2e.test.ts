// The dead-man switch with a real agent, server and nftables: the server goes away, and once
// failsafe_release_seconds have passed without it the agent takes back the rules it applied
// (the kernel would otherwise keep dropping for the rule's whole TTL); back, the server hears
// which commands were released.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from './testing/stack.ts';

const FAILSAFE_S = 5;

test('rules are taken back when the server is unreachable for failsafe_release_seconds, and reported as released when it returns', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-failsafe-'));
  try {
    await withNamespaces(async (n) => {
      const stack = await startStack(n, dir, { baseline: { enabled: false } }, { agentConfig: { failsafe_release_seconds: FAILSAFE_S, config_poll_seconds: 1 } });
      const nft = (...args: string[]) => spawnSync('ip', ['netns', 'exec', n.victim, 'nft', ...args], { encoding: 'utf8' }).stdout;
      const blocked = () => nft('list', 'set', 'inet', 'breakwater', 'block4').includes(n.attackerIp);
      try {
        const queued = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address: n.attackerIp, ttl: 3600 } });
        assert.equal(queued.status, 'queued', JSON.stringify(queued));
        await waitFor('block applied', blocked, 15_000, 100);
        // While the server answers, the rule stays: more than the failsafe time passes with contact.
        const appliedAt = Date.now();
        await waitFor('a failsafe period with the server up', () => Date.now() - appliedAt > (FAILSAFE_S + 2) * 1000, 20_000, 250);
        assert.ok(blocked(), 'kept while the server is reachable');

        await stack.stopServer();
        const downAt = Date.now();
        await waitFor('block taken back by the failsafe', () => !blocked(), 30_000, 100);
        const releasedAfter = Date.now() - downAt;
        assert.ok(releasedAfter >= FAILSAFE_S * 1000 - 1000, `released ${releasedAfter} ms after the server went away: not before the failsafe time`);
        // The agent logs once the rules are gone; its output reaches us through a pipe a moment later.
        const said = /failsafe: the server has not been reached for \d+ s \(failsafe_release_seconds 5\): took back 1 firewall rule/;
        await waitFor('the failsafe logged', () => said.test(stack.agentLog()), 5_000, 50);

        await stack.startServer();
        const released = await waitFor('the server told of the release', () => {
          const c = stack.get(`/api/agents/${stack.nodeUuid}/commands`).find((x: { command_id: string }) => x.command_id === queued.command_id);
          return c?.status === 'released' ? c : undefined;
        }, 30_000, 250);
        assert.match(released.error, /^failsafe: /);
        assert.equal(blocked(), false, 'not applied again by itself');
      } finally {
        await stack.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
