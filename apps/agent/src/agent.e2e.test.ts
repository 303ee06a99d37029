// The agent end to end: `breakwater server` and `breakwater agent` (enrolled through the
// deploy API) run in a victim namespace; floods come from an attacker namespace; incidents,
// their family and their resolution are read back from the server's REST API.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from './testing/stack.ts';

test('agent → server: floods of each family open an incident of that family at the server, resolve after the flood, and bring their capture', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-e2e-'));
  try {
    await withNamespaces(async (n) => {
      const stack = await startStack(n, dir, { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } });
      try {
        // quiet traffic first: no incident
        const ping = spawnSync('ip', ['netns', 'exec', n.attacker, 'ping', '-c', '5', '-i', '0.2', '-q', n.victimIp], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(ping.status, 0, ping.stderr);
        await waitFor('metrics arriving', () => (stack.get(`/api/v1/nodes/${stack.nodeUuid}/metrics?step=1`).data?.points.length ?? 0) >= 2, 15_000, 200);
        assert.equal(stack.get(`/api/v1/incidents?node=${stack.nodeUuid}`).meta.total, 0);

        // One flood per family, in turn; each must become its own incident with the right verdict.
        const FLOODS = [
          { family: 'udp_flood', subtype: null, port: 7777, args: ['--udp', '-p', '7777', '-d', '64'] },
          { family: 'syn_flood', subtype: null, port: 80, args: ['-S', '-p', '80', '--rand-source'] },
          { family: 'icmp_flood', subtype: null, port: null, args: ['--icmp', '-d', '56'] },
          { family: 'dns_flood', subtype: null, port: 53, args: ['--udp', '-p', '53', '-d', '40'] },
          { family: 'udp_flood', subtype: 'ntp_amplification', port: 40000, args: ['--udp', '-s', '123', '-k', '-p', '40000', '-d', '440'] },
        ];
        const COUNT = 15_000;
        for (const [i, f] of FLOODS.entries()) {
          const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', ...f.args, '-i', 'u100', '-c', String(COUNT), '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
          assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);
          const incident = await waitFor(`${f.family} incident resolved at the server`, () => {
            const list = stack.get(`/api/v1/incidents?node=${stack.nodeUuid}&limit=100`);
            return list.meta?.total === i + 1 && list.data[0].status === 'resolved' ? list.data[0] : undefined;
          }, 30_000, 250);
          const detail = stack.get(`/api/v1/incidents/${incident.uuid}`).data;
          const what = `${f.args.join(' ')} → ${detail.attack_family}/${detail.attack_subtype}`;
          assert.equal(detail.attack_family, f.family, what);
          if (f.subtype) assert.equal(detail.attack_subtype, f.subtype, what);
          if (f.port !== null) assert.equal(detail.top_dst_ports[0]?.port, f.port, what);
          assert.ok(detail.peak_pps >= 3000, `${what}: peak ${detail.peak_pps}`);
          // the attack's capture arrives after the resolve and parses at the server
          const pcap = await waitFor(`${what}: capture uploaded`, () => stack.get(`/api/v1/incidents/${incident.uuid}`).data.pcaps[0], 20_000, 250);
          // the ring puts the packets before the attack first: look at the last thousand
          const total = stack.get(`/api/v1/pcaps/${pcap.uuid}/packets?limit=1`).meta.total;
          assert.ok(total > 1000, `${what}: ${total} packets in the capture`);
          const packets = stack.get(`/api/v1/pcaps/${pcap.uuid}/packets?limit=1000&offset=${total - 1000}`);
          const toVictim = packets.data.filter((p: any) => p.dst_ip === n.victimIp);
          // at least half: an ICMP echo flood draws one reply per request
          assert.ok(toVictim.length >= 450, `${what}: ${toVictim.length} flood packets in the last thousand captured`);
          if (f.port !== null) assert.ok(toVictim.every((p: any) => p.dst_port === f.port), `${what}: every captured packet to the victim hits port ${f.port}`);
        }
        const points = stack.get(`/api/v1/nodes/${stack.nodeUuid}/metrics?step=1`).data.points;
        assert.ok(Math.max(...points.map((p: any) => p.pps_max)) >= 3000, 'the floods show in the per-second metrics');
      } finally {
        await stack.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
