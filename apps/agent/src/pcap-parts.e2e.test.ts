// A long attack's capture arrives in parts while it lasts: with 2 s parts, a ~8 s flood
// has parts stored at the server before it resolves, and the parts together hold every
// flood packet once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { DecodedPacket, IpProto, decodePacket, readCaptureFile } from '@breakwater/packets';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from './testing/stack.ts';

test('capture parts are uploaded while the attack lasts, and together hold each flood packet once', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-parts-'));
  try {
    await withNamespaces(async (n) => {
      const stack = await startStack(n, dir, { thresholds: { pps: 2000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } }, {
        agentConfig: { pcap_part_seconds: 2, pcap_ring_packets: 20_000 },
      });
      try {
        const COUNT = 40_000; // ~8 s at hping3 -i u200 here, bounded by count
        const flood = spawn('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7777', '-d', '64', '-i', 'u200', '-c', String(COUNT), '-q', n.victimIp], { stdio: 'ignore' });
        const exited = new Promise((r) => flood.once('exit', r));
        const incident = await waitFor('incident open at the server', () => stack.get(`/api/v1/incidents?node=${stack.nodeUuid}&status=active`).data?.[0], 20_000, 200);
        const early = await waitFor('a part stored while the incident is active', () => {
          const d = stack.get(`/api/v1/incidents/${incident.uuid}`).data;
          return d.status === 'active' && d.pcaps.length > 0 ? d.pcaps : undefined;
        }, 15_000, 200);
        assert.ok(early.length >= 1);
        await exited;
        await waitFor('incident resolved', () => stack.get(`/api/v1/incidents/${incident.uuid}`).data.status === 'resolved', 30_000, 250);
        // The last part follows the resolve. Read the stored files (the server's database gives
        // their paths): the ring held all of the flood before the open, and no part repeats a packet.
        const db = new DatabaseSync(join(stack.dataDir, 'breakwater.db'), { readOnly: true });
        try {
          const floodPackets = async () => {
            const rows = db.prepare('SELECT p.path FROM pcaps p JOIN incidents i ON i.id = p.incident_id WHERE i.uuid = ? ORDER BY p.id').all(incident.uuid) as { path: string }[];
            const perPart: number[] = [];
            const p = new DecodedPacket();
            for (const { path } of rows) {
              let k = 0;
              for await (const rec of readCaptureFile(path)) {
                decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, p);
                if (p.ip.protocol === IpProto.udp && p.ip.dstPort === 7777) k++;
              }
              perPart.push(k);
            }
            return perPart;
          };
          let seen: number[] = [];
          const parts = await waitFor('every flood packet in the stored parts', async () => {
            seen = await floodPackets();
            return seen.reduce((a, b) => a + b, 0) >= COUNT ? seen : undefined;
          }, 30_000, 500).catch((err: Error) => assert.fail(`${err.message}: ${seen.join(' + ')} flood packets in ${seen.length} parts`));
          assert.equal(parts.reduce((a, b) => a + b, 0), COUNT, `flood packets across parts: ${parts.join(' + ')}`);
          assert.ok(parts.length >= 3, `${parts.length} parts for a ~8 s attack cut every 2 s`);
        } finally {
          db.close();
        }
      } finally {
        await stack.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
