// The agent's fast counter loop: received packets/bytes every ~10 ms as CounterSamples for the
// engine's fast-open rungs, timed on the sub-millisecond clock, one contiguous timeline, reads
// whose timing is uncertain skipped (their time goes to the next sample), resets not taken as traffic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CounterSample } from '@breakwater/contracts';
import { KernelCounters, type CounterReading } from '../kernel-counters.ts';
import { LiveTicks } from './live-ticks.ts';

function harness() {
  let wall = 1_700_000_000_000;
  let perf = 5000;
  let rx = 0;
  let readCost = 0.02;
  const counters = {
    read: (): CounterReading => ({ rxPackets: rx, rxBytes: rx * 100, rxDropped: 0, ipIn: 0, tcpIn: 0, udpIn: 0, icmpIn: 0 }),
    readRx: () => {
      perf += readCost;
      return { rxPackets: rx, rxBytes: rx * 100 };
    },
  };
  const samples: CounterSample[] = [];
  const lt = new LiveTicks({ counterTickMs: 0 }, { counters, now: () => Math.floor(wall), perfNow: () => perf, onTick: () => undefined, onCounters: (s) => samples.push(s) });
  return {
    lt,
    samples,
    after: (ms: number, packets: number) => {
      wall += ms;
      perf += ms;
      rx += packets;
      lt.counterStep();
    },
    slowRead: (ms: number) => (readCost = ms),
    reset: () => (rx = 0),
  };
}

test('samples carry the packets and bytes between reads over the real (sub-millisecond) time, back to back', () => {
  const h = harness();
  h.after(0, 0); // first read: the reference
  h.after(10.4, 300);
  h.after(9.7, 250);
  assert.equal(h.samples.length, 2);
  const [a, b] = h.samples as [CounterSample, CounterSample];
  assert.deepEqual([a.packets, a.bytes, b.packets, b.bytes], [300, 30_000, 250, 25_000]);
  assert.ok(Math.abs(a.durationMs - 10.4) < 0.05 && Math.abs(b.durationMs - 9.7) < 0.05, `${a.durationMs} ${b.durationMs}`);
  assert.equal(b.ts, a.ts + a.durationMs, 'one contiguous timeline');
});

test('a read the process was descheduled around is skipped: its packets and time go to the next sample', () => {
  const h = harness();
  h.after(0, 0);
  h.slowRead(3);
  h.after(10, 5000);
  h.slowRead(0.02);
  h.after(10, 100);
  assert.equal(h.samples.length, 1);
  assert.equal(h.samples[0]!.packets, 5100);
  assert.ok(h.samples[0]!.durationMs > 20, 'the whole span, so the rate stays right');
});

test('counters that went backwards (interface re-created) are not traffic', () => {
  const h = harness();
  h.after(0, 1000);
  h.reset();
  h.after(10, 5);
  h.after(10, 7);
  assert.deepEqual(h.samples.map((s) => s.packets), [7]);
});

test('KernelCounters.readRx reads rx_packets and rx_bytes through descriptors kept open, and says which interface when they are gone', () => {
  const root = mkdtempSync(join(tmpdir(), 'bw-rx-'));
  try {
    const stats = join(root, 'class', 'net', 'veth0', 'statistics');
    mkdirSync(stats, { recursive: true });
    writeFileSync(join(stats, 'rx_packets'), '12345\n');
    writeFileSync(join(stats, 'rx_bytes'), '999999\n');
    const kc = new KernelCounters({ iface: 'veth0', sysRoot: root });
    assert.deepEqual(kc.readRx(), { rxPackets: 12345, rxBytes: 999_999 });
    writeFileSync(join(stats, 'rx_packets'), '12400\n');
    assert.equal(kc.readRx().rxPackets, 12400);
    kc.close();
    assert.throws(() => new KernelCounters({ iface: 'veth9', sysRoot: root }).readRx(), /interface veth9: no counters/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
