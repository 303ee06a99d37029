// A firewall command from the server drops the flood on the node, and is removed when
// the incident resolves: server and agent in the victim namespace, flood from the attacker.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from './testing/stack.ts';

test('a block_source command drops the flood (nftables counter) and is removed when the incident resolves', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-fw-'));
  try {
    await withNamespaces(async (n) => {
      const stack = await startStack(n, dir, { thresholds: { pps: 2000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } });
      const nft = (...args: string[]) => spawnSync('ip', ['netns', 'exec', n.victim, 'nft', ...args], { encoding: 'utf8' }).stdout;
      const dropped = () => Number(/counter packets (\d+) .*comment "bw-block4"/.exec(nft('list', 'chain', 'inet', 'breakwater', 'guard'))?.[1] ?? -1);
      try {
        // ~6 s at ~5 kpps, bounded by count
        const flood = spawn('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '9999', '-d', '64', '-i', 'u200', '-c', '30000', '-q', n.victimIp], { stdio: 'ignore' });
        const incident = await waitFor('incident open at the server', () => stack.get(`/api/v1/incidents?node=${stack.nodeUuid}&status=active`).data?.[0], 20_000, 200);
        assert.equal(dropped(), 0);
        const queued = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address: n.attackerIp, ttl: 600, incident: incident.uuid } });
        assert.match(queued.command_id, /^cmd_\d+$/);
        assert.equal(queued.status, 'queued');
        await waitFor('command applied', () => stack.get(`/api/agents/${stack.nodeUuid}/commands`)[0]?.status === 'applied', 15_000, 200);
        assert.match(nft('list', 'set', 'inet', 'breakwater', 'block4'), new RegExp(n.attackerIp.replace(/\./g, '\\.')));
        await waitFor('the flood being dropped', () => dropped() > 1000, 15_000, 200);
        await new Promise((r) => flood.once('exit', r));
        await waitFor('incident resolved', () => stack.get(`/api/v1/incidents/${incident.uuid}`).data.status === 'resolved', 30_000, 250);
        await waitFor('block removed on resolve', () => !nft('list', 'set', 'inet', 'breakwater', 'block4').includes(n.attackerIp), 15_000, 200);
        // A rule taken back by hand before its TTL: the revoke command removes it at once.
        const again = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address: n.attackerIp, ttl: 3600 } });
        await waitFor('second block applied', () => nft('list', 'set', 'inet', 'breakwater', 'block4').includes(n.attackerIp), 15_000, 200);
        const revoke = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'revoke', params: { command_id: Number(again.command_id.slice(4)) } });
        assert.equal(revoke.status, 'queued');
        await waitFor('block removed by revoke', () => !nft('list', 'set', 'inet', 'breakwater', 'block4').includes(n.attackerIp), 15_000, 200);
        await waitFor('revoke acknowledged', () => stack.get(`/api/agents/${stack.nodeUuid}/commands`)[0]?.status === 'applied', 15_000, 200);
        // A drop of the server's own port cannot cut the agent off: its connection to the server is exempt.
        const port = Number(new URL(stack.url).port);
        assert.match(nft('list', 'set', 'inet', 'breakwater', 'mgmt4'), new RegExp(`127\\.0\\.0\\.1 \\. ${port}`));
        const drop = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'drop_port', params: { protocol: 'tcp', port, ttl: 600 } });
        await waitFor('drop of the server port applied', () => stack.get(`/api/agents/${stack.nodeUuid}/commands`).find((c: { command_id: string }) => c.command_id === drop.command_id)?.status === 'applied', 15_000, 200);
        const later = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address: '198.51.100.33', ttl: 600 } });
        await waitFor('the agent still hears the server and answers', () => stack.get(`/api/agents/${stack.nodeUuid}/commands`).find((c: { command_id: string }) => c.command_id === later.command_id)?.status === 'applied', 15_000, 200);
        // bad input is refused at the API, naming the field
        const bad = stack.post(`/api/agents/${stack.nodeUuid}/commands`, { type: 'block_source', params: { address: '10.0.0.1; flush ruleset' } });
        assert.equal(bad.ok, false);
        assert.match(bad.error.message, /^params\.address: /);
      } finally {
        await stack.stopAll();
      }
      assert.equal(nft('list', 'tables').includes('breakwater'), false, 'the agent removes its table when it stops');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
