// Resilience: the server is stopped for 30 s while traffic flows; the agent keeps every
// per-second sample in its spool and delivers them when the server is back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from './testing/stack.ts';

const OUTAGE_MS = 30_000;

test('stopping the server for 30 s during traffic loses no metrics sample', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-outage-'));
  try {
    await withNamespaces(async (n) => {
      const stack = await startStack(n, dir, { baseline: { enabled: false } });
      // steady traffic for the whole test, bounded in count and time
      const ping = spawn('ip', ['netns', 'exec', n.attacker, 'timeout', '120', 'ping', '-i', '0.05', '-c', '2000', '-q', n.victimIp], { stdio: 'ignore' });
      try {
        const seconds = (from: number, to: number) =>
          stack.get(`/api/v1/nodes/${stack.nodeUuid}/metrics?from=${from}&to=${to}&step=1`).data.points.map((p: { ts: string }) => Date.parse(p.ts));
        await waitFor('samples flowing', () => seconds(Date.now() - 10_000, Date.now()).length >= 3, 20_000, 250);
        const from = Math.floor(Date.now() / 1000) * 1000;
        await stack.stopServer();
        const downAt = Date.now();
        // The outage is the scenario itself (30 s, as the issue asks), not a wait for a condition.
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        await stack.startServer();
        const upAt = Date.now();
        const to = Math.floor(upAt / 1000) * 1000 + 3000;
        const expected = (to - from) / 1000;
        const got = await waitFor('every second delivered', () => {
          const s = seconds(from, to);
          return s.length >= expected ? s : undefined;
        }, 30_000, 500);
        assert.ok(upAt - downAt >= OUTAGE_MS);
        assert.deepEqual(got, Array.from({ length: expected }, (_, i) => from + i * 1000), 'one sample for every second, including the outage');
      } finally {
        ping.kill('SIGTERM');
        await stack.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
