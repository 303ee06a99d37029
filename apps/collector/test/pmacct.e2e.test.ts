// Collector end to end with pmacct: pmacctd's nfprobe (NetFlow v9, 1 s timeouts) and sfprobe
// (sFlow v5, sampling 1 in 10) watch the victim's interface; hping3 floods from the attacker's
// namespace. The collector opens an incident of the right family on the victim's flow node, and
// its counts (sampling applied) agree with what reached the victim within the sampling error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces, type TestNet } from '@breakwater/testing';
import { startCollectorStack, startPmacctd, type CollectorStack } from '../src/testing/index.ts';

const rx = (n: TestNet) => Number(spawnSync('ip', ['netns', 'exec', n.victim, 'cat', `/sys/class/net/${n.victimIf}/statistics/rx_packets`], { encoding: 'utf8' }).stdout.trim());

function flood(n: TestNet, args: string[], count: number): void {
  const r = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', ...args, '-i', 'u100', '-c', String(count), '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
}

const talkerPackets = (s: CollectorStack, host: string): number =>
  s.get(`/api/v1/collectors/${s.collectorUuid}/talkers?host=${host}&window=600&limit=100`).data.talkers.reduce((a: number, x: { packets: number }) => a + x.packets, 0);

test('pmacctd nfprobe (NetFlow v9) and sfprobe (sFlow v5 1:10) → collector: SYN and UDP floods open the right family on the flow node; counts agree within the sampling error', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-pmacct-'));
  try {
    await withNamespaces(async (n) => {
      const s = await startCollectorStack(n, dir, { detection: { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } } });
      try {
        const CASES = [
          { probe: 'nfprobe' as const, protocol: 'netflow_v9', rate: 1, family: 'syn_flood', args: ['-S', '-p', '80'], tolerance: 0.03 },
          // 1 in 10 of 15,000: ~1,500 samples; 3σ of the scaled count is ~8 %.
          { probe: 'sfprobe' as const, protocol: 'sflow_v5', rate: 10, family: 'udp_flood', args: ['--udp', '-p', '7777', '-d', '64'], tolerance: 0.12 },
        ];
        for (const [i, c] of CASES.entries()) {
          const target = `127.0.0.1:${c.probe === 'nfprobe' ? s.netflowPort : s.sflowPort}`;
          const exporter = startPmacctd(dir, n.victim, n.victimIf, c.probe, target, c.rate);
          try {
            await waitFor(`${c.probe}: first datagram at the collector`, () => {
              spawnSync('ip', ['netns', 'exec', n.attacker, 'ping', '-c', '20', '-i', '0.01', '-q', n.victimIp], { timeout: 10_000 });
              return s.get('/api/v1/collectors').data[0]?.exporters.some((e: { datagrams: number; protocols: string[] }) => e.datagrams > 0 && e.protocols.includes(c.protocol));
            }, 30_000, 500);
            // The pings' last flows may still come after this (1 s timeouts): at most 20 packets, inside the tolerance.
            const baseTalk = talkerPackets(s, n.victimIp);
            const before = rx(n);
            flood(n, c.args, 15_000);
            const sent = rx(n) - before;
            const incident = await waitFor(`${c.probe}: ${c.family} incident resolved at the server`, () => {
              const list = s.get('/api/v1/incidents?limit=100');
              return list.meta?.total === i + 1 && list.data[0].status === 'resolved' ? list.data[0] : undefined;
            }, 45_000, 250);
            const detail = s.get(`/api/v1/incidents/${incident.uuid}`).data;
            assert.equal(detail.attack_family, c.family, `${c.probe}: ${detail.attack_family}/${detail.attack_subtype}`);
            const flowNode = s.get('/api/v1/collectors').data[0].flow_nodes.find((f: { ip: string }) => f.ip === n.victimIp);
            assert.ok(flowNode, 'the victim is a flow node');
            const exp = s.get('/api/v1/collectors').data[0].exporters.find((e: { protocols: string[] }) => e.protocols.includes(c.protocol));
            assert.equal(exp.sampling_rate, c.rate, `${c.probe}: sampling rate in force`);
            const counted = await waitFor(`${c.probe}: talkers report the flood`, () => {
              const t = talkerPackets(s, n.victimIp) - baseTalk;
              return Math.abs(t - sent) <= sent * c.tolerance ? t : undefined;
            }, 15_000, 250).catch(() => talkerPackets(s, n.victimIp) - baseTalk);
            assert.ok(Math.abs(counted - sent) <= sent * c.tolerance, `${c.probe}: collector counted ${counted} packets (scaled), the victim received ${sent}`);
          } finally {
            await exporter.stop();
          }
        }
      } finally {
        await s.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
