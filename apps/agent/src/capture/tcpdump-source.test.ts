// tcpdump against real traffic: a counted flood from an attacker namespace to the victim
// namespace it captures in (through a wrapper that runs tcpdump there).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { withNamespaces } from '@breakwater/testing';
import { namespacedProgram } from '../testing/namespaced-program.ts';
import { captureSourceContract } from './capture-source.contract.ts';
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
  assert.deepEqual(parseTcpdumpStats(text), { captured: 25, received: 30, kernelDrops: 2 });
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
