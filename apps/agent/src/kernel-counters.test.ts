import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { counterDelta, CounterSourceError, KernelCounters } from './kernel-counters.ts';
import { withNamespaces } from '@breakwater/testing';

function fixture(vals: { rx: number; bytes: number; udp: number; noports: number }) {
  const root = mkdtempSync(join(tmpdir(), 'bw-kc-'));
  const stats = join(root, 'sys', 'class', 'net', 'veth0', 'statistics');
  mkdirSync(stats, { recursive: true });
  writeFileSync(join(stats, 'rx_packets'), `${vals.rx}\n`);
  writeFileSync(join(stats, 'rx_bytes'), `${vals.bytes}\n`);
  writeFileSync(join(stats, 'rx_dropped'), '0\n');
  mkdirSync(join(root, 'proc', 'net'), { recursive: true });
  writeFileSync(join(root, 'proc', 'net', 'snmp'), [
    'Ip: Forwarding DefaultTTL InReceives', `Ip: 2 64 ${vals.rx}`,
    'Tcp: RtoAlgorithm InSegs', 'Tcp: 1 7',
    'Udp: InDatagrams NoPorts InErrors', `Udp: ${vals.udp} ${vals.noports} 0`,
    'Icmp: InMsgs InErrors', 'Icmp: 3 0', '',
  ].join('\n'));
  return root;
}

test('readings from sysfs and /proc/net/snmp; deltas; a counter reset is flagged, not taken as traffic', () => {
  const root = fixture({ rx: 1000, bytes: 64000, udp: 10, noports: 5 });
  const kc = new KernelCounters({ iface: 'veth0', sysRoot: join(root, 'sys'), procRoot: join(root, 'proc') });
  const a = kc.read();
  assert.deepEqual(a, { rxPackets: 1000, rxBytes: 64000, rxDropped: 0, ipIn: 1000, tcpIn: 7, udpIn: 15, icmpIn: 3 });
  const d = counterDelta(a, { ...a, rxPackets: 1500, rxBytes: 96000, udpIn: 515 });
  assert.deepEqual([d.reset, d.rxPackets, d.rxBytes, d.udpIn], [false, 500, 32000, 500]);
  const r = counterDelta(a, { ...a, rxPackets: 3 });
  assert.deepEqual([r.reset, r.rxPackets], [true, 0]);
  assert.throws(() => new KernelCounters({ iface: 'veth0; rm', sysRoot: root }), /interface: not a valid/);
  assert.throws(() => new KernelCounters({ iface: 'nope0', sysRoot: join(root, 'sys'), procRoot: join(root, 'proc') }).read(), CounterSourceError);
  rmSync(root, { recursive: true, force: true });
});

test('real traffic in a namespace: a counted UDP flood shows up exactly in the counters', { timeout: 60_000 }, async () => {
  await withNamespaces(async (n) => {
    const reader = `
      import { KernelCounters } from ${JSON.stringify(join(import.meta.dirname, 'kernel-counters.ts'))};
      const kc = new KernelCounters({ iface: process.argv[1] });
      process.stdout.write(JSON.stringify(kc.read()));`;
    const read = () => {
      const r = spawnSync('ip', ['netns', 'exec', n.victim, process.execPath, '--input-type=module', '-e', reader, n.victimIf], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout) as ReturnType<KernelCounters['read']>;
    };
    const before = read();
    const COUNT = 2000;
    const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '9', '-d', '32', '-i', 'u100', '-c', String(COUNT), '-q', n.victimIp], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'ignore', 'pipe'] });
    assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);
    const after = read();
    const d = counterDelta(before, after);
    // hping3 also triggers ARP and may retransmit nothing else: the interface sees the flood plus a few frames
    assert.ok(d.rxPackets >= COUNT && d.rxPackets <= COUNT + 10, `rx_packets delta ${d.rxPackets}`);
    assert.ok(d.udpIn >= COUNT && d.udpIn <= COUNT + 2, `udp delta ${d.udpIn}`);
    assert.ok(d.rxBytes >= COUNT * (14 + 20 + 8 + 32), `rx_bytes delta ${d.rxBytes}`);
  });
});
