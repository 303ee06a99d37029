// Collector end to end with a real exporter: softflowd watches the victim's interface and exports
// NetFlow v5, v9 and IPFIX to `breakwater collector run`; hping3 floods from the attacker's
// namespace. The collector must open an incident of the right family on the victim's flow node at
// the server, and the packets it counted must agree with what reached the victim's interface.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces, type TestNet } from '@breakwater/testing';
import { startCollectorStack, startSoftflowd, type CollectorStack } from '../src/testing/index.ts';

const rx = (n: TestNet) => Number(spawnSync('ip', ['netns', 'exec', n.victim, 'cat', `/sys/class/net/${n.victimIf}/statistics/rx_packets`], { encoding: 'utf8' }).stdout.trim());

function flood(n: TestNet, args: string[], count: number): void {
  const r = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', ...args, '-i', 'u100', '-c', String(count), '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
}

/** Packets the collector counted toward the victim over the last `window` seconds (its top talkers, one source here). */
function talkerPackets(s: CollectorStack, host: string): number {
  const t = s.get(`/api/v1/collectors/${s.collectorUuid}/talkers?host=${host}&window=600&limit=100`).data;
  return t.talkers.reduce((a: number, x: { packets: number }) => a + x.packets, 0);
}

test('softflowd NetFlow v5, v9 and IPFIX → collector: a UDP flood opens udp_flood on the victim\'s flow node; counts agree with the victim\'s interface', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-coll-'));
  try {
    await withNamespaces(async (n) => {
      // Flows reach the collector in export bursts, not packet by packet: a cooldown longer than the gap
      // between softflowd's exports on a loaded machine keeps one flood one incident.
      const s = await startCollectorStack(n, dir, { detection: { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 5000 } } });
      try {
        let incidents = 0;
        for (const version of [5, 9, 10] as const) {
          const exporter = startSoftflowd(dir, n.victim, n.victimIf, version, `127.0.0.1:${s.netflowPort}`);
          try {
            // softflowd is up once it exports the ping's flow
            spawnSync('ip', ['netns', 'exec', n.attacker, 'ping', '-c', '3', '-i', '0.2', '-q', n.victimIp], { timeout: 10_000 });
            await waitFor(`v${version}: first datagram at the collector`, () => {
              const c = s.get('/api/v1/collectors').data[0];
              return c?.exporters.some((e: { datagrams: number; protocols: string[] }) => e.datagrams > 0 && e.protocols.includes(version === 5 ? 'netflow_v5' : version === 9 ? 'netflow_v9' : 'ipfix'));
            }, 20_000, 250);
            const before = rx(n);
            const baseTalk = talkerPackets(s, n.victimIp);
            flood(n, ['--udp', '-p', '7777', '-d', '64', '-s', '40000', '-k'], 15_000);
            const sent = rx(n) - before;
            const incident = await waitFor(`v${version}: udp_flood incident resolved at the server`, () => {
              const list = s.get('/api/v1/incidents?limit=100');
              return list.meta?.total === incidents + 1 && list.data[0].status === 'resolved' ? list.data[0] : undefined;
            }, 45_000, 250);
            incidents++;
            const detail = s.get(`/api/v1/incidents/${incident.uuid}`).data;
            assert.equal(detail.attack_family, 'udp_flood', `v${version}: ${detail.attack_family}/${detail.attack_subtype}`);
            assert.equal(detail.top_dst_ports[0]?.port, 7777);
            const collectors = s.get('/api/v1/collectors').data;
            const flowNode = collectors[0].flow_nodes.find((f: { ip: string }) => f.ip === n.victimIp);
            assert.ok(flowNode, 'the victim appears as a flow node of the collector');
            const node = s.get(`/api/v1/nodes/${flowNode.uuid}`).data;
            assert.equal(node.kind, 'flow');
            assert.equal(detail.node?.uuid ?? detail.node_uuid ?? flowNode.uuid, flowNode.uuid);
            // Counts: everything that reached the victim (the flood and the ping) was exported once (unsampled).
            const total = await waitFor(`v${version}: talkers report the flood`, () => {
              const t = talkerPackets(s, n.victimIp) - baseTalk;
              return t >= sent * 0.98 ? t : undefined;
            }, 15_000, 250).catch(() => talkerPackets(s, n.victimIp) - baseTalk);
            assert.ok(Math.abs(total - sent) <= sent * 0.02, `v${version}: collector counted ${total} packets, the victim received ${sent}`);
          } finally {
            await exporter.stop();
          }
        }
        const exp = s.get('/api/v1/collectors').data[0].exporters.find((e: { exporter: string }) => e.exporter === '127.0.0.1');
        assert.deepEqual([...exp.protocols].sort(), ['ipfix', 'netflow_v5', 'netflow_v9']);
        assert.ok(exp.templates >= 1, 'v9/IPFIX templates are shown');
        assert.equal(exp.drops.queue, 0);
      } finally {
        await s.stopAll();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
