// tcpdump against real traffic: a counted flood from an attacker namespace to the victim
// namespace it captures in (through a wrapper that runs tcpdump there).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { withNamespaces } from '@breakwater/testing';
import { namespacedProgram } from '../testing/namespaced-program.ts';
import { captureSourceContract } from './capture-source.contract.ts';
import { DecodedPacket, decodePacket, IpProto } from '@breakwater/packets';
import { formatCaptureStats } from './capture-source.ts';
import { exclusionFilter, parseTcpdumpStats, TcpdumpSource } from './tcpdump-source.ts';

test('tcpdump arguments: no shell, validated interface, control-plane traffic excluded', () => {
  const src = new TcpdumpSource({ iface: 'eth0', exclude: [{ host: '203.0.113.9', port: 443 }] }, { onRecord: () => {}, onError: () => {} });
  assert.deepEqual(src.args().slice(0, 2), ['-i', 'eth0']);
  assert.equal(src.args().at(-1), 'not ((host 203.0.113.9 and tcp port 443))');
  assert.throws(() => new TcpdumpSource({ iface: 'eth0 -w /etc/passwd' }, { onRecord: () => {}, onError: () => {} }), /interface: not a valid/);
  assert.throws(() => exclusionFilter([{ host: 'evil.com or 1=1', port: 1 }]), /exclude\.host: must be an IP/);
  assert.throws(() => exclusionFilter([{ host: '192.0.2.1', port: 0 }]), /exclude\.port/);
});

test('tcpdump statistics: the last counters it printed, or null before it printed any', () => {
  assert.equal(parseTcpdumpStats('listening on eth0'), null);
  const text = '10 packets captured\n12 packets received by filter\n0 packets dropped by kernel\n25 packets captured\n30 packets received by filter\n2 packets dropped by kernel\n';
  assert.deepEqual(parseTcpdumpStats(text), { captured: 25, received: 30, kernelDrops: 2, inFlight: 3 });
  // "received by filter" already holds the kernel's drops (tp_packets counts them): 0 in flight here.
  assert.deepEqual(parseTcpdumpStats('900 packets captured\n1000 packets received by filter\n100 packets dropped by kernel\n'), { captured: 900, received: 1000, kernelDrops: 100, inFlight: 0 });
  assert.equal(formatCaptureStats({ captured: 25, received: 30, kernelDrops: 2, inFlight: 3, read: 25 }), '30 received by filter = 25 captured + 2 dropped by kernel + 3 in flight; 25 read by the agent');
});

test('every packet the filter passed is accounted for: a fast burst stopped at once is drained, none left in flight', { timeout: 60_000 }, async () => {
  await withNamespaces(async (n) => {
    const tcpdump = namespacedProgram(n.victim, 'tcpdump');
    try {
      let udp = 0;
      const p = new DecodedPacket();
      const src = new TcpdumpSource({ iface: n.victimIf, tcpdumpPath: tcpdump.path }, {
        onRecord: (rec) => {
          decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, p);
          if (p.ip.protocol === IpProto.udp && p.ip.dstPort === 7790) udp++;
        },
        onError: (err) => assert.fail(err.message),
      });
      await src.start();
      const sent = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7790', '-d', '64', '-i', 'u50', '-c', '5000', '-q', n.victimIp], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'ignore', 'pipe'] });
      assert.ok(sent.status === 0 || sent.status === 1, sent.stderr);
      // Stopped at once: libpcap still holds the burst's last block.
      const s = await src.stop();
      assert.ok(s.received! >= 5000 && s.received! < 5100, `the burst and a few neighbour-discovery packets: ${JSON.stringify(s)}`);
      assert.equal(s.received, s.captured! + s.kernelDrops! + s.inFlight!, JSON.stringify(s));
      assert.equal(s.read, s.captured);
      assert.equal(udp, 5000, 'each packet of the burst decoded once: drained before the stop');
      // Only what is not the burst (neighbour discovery arriving between the drain and the stop)
      // may still be in flight.
      assert.ok(s.inFlight! <= s.received - 5000, `nothing of the burst in flight: ${JSON.stringify(s)}`);
    } finally {
      tcpdump.dispose();
    }
  });
});

/**
 * The kernel stamps what tcpdump captures with the system's wall clock. Under libfaketime (the
 * suite runs weeks ahead that way) this process's clock is shifted and the kernel's is not, so
 * ask a child that runs without the preload.
 */
function kernelWallClockMs(): number {
  if (!process.env.LD_PRELOAD?.includes('faketime')) return Date.now();
  const r = spawnSync('date', ['+%s%3N'], { encoding: 'utf8', env: { ...process.env, LD_PRELOAD: '', FAKETIME: '' } });
  return Number(r.stdout.trim());
}

captureSourceContract('tcpdump', async (fn) => {
  await withNamespaces(async (n) => {
    const tcpdump = namespacedProgram(n.victim, 'tcpdump');
    try {
      await fn({
        make: (h) => new TcpdumpSource({ iface: n.victimIf, tcpdumpPath: tcpdump.path }, h),
        now: kernelWallClockMs,
        send: async (count, port) => {
          const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', String(port), '-d', '64', '-i', 'u1000', '-c', String(count), '-q', n.victimIp], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'ignore', 'pipe'] });
          assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);
        },
      });
    } finally {
      tcpdump.dispose();
    }
  });
});
