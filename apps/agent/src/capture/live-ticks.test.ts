import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { TickStats } from '@breakwater/contracts';
import { buildPcap, readCaptureBuffer } from '@breakwater/packets';
import type { CounterReading } from '../kernel-counters.ts';
import { LiveTicks } from './live-ticks.ts';

// A minimal Ethernet/IPv4/UDP frame.
const frame = Buffer.from('ffffffffffff0200000000010800450000240000000040110000c6120101c6120105d4311e6100100000' + '00'.repeat(8), 'hex');

function harness() {
  let now = 1_000_000;
  let rx = 0;
  const counters = { read: (): CounterReading => ({ rxPackets: rx, rxBytes: rx * 64, rxDropped: 0, ipIn: rx, tcpIn: 0, udpIn: rx, icmpIn: 0 }) };
  const ticks: TickStats[] = [];
  const lt = new LiveTicks({}, { counters, now: () => now, onTick: (t) => ticks.push(t) });
  lt.start();
  lt.stop(); // the test drives step() itself
  const capture = (n: number, atMs: number) => {
    const pcap = buildPcap({ linktype: 1 }, Array.from({ length: n }, () => ({ tsMs: atMs, data: frame })));
    for (const rec of readCaptureBuffer(pcap)) lt.onRecord(rec);
  };
  return { lt, ticks, capture, kernel: (n: number) => (rx += n), advance: (ms: number) => (now += ms), now: () => now };
}

test('each tick carries the kernel counters’ delta as its total, and the packets’ detail', () => {
  const h = harness();
  h.kernel(500);
  h.capture(50, h.now() + 10); // capture sampled only part of it
  h.advance(100);
  h.lt.step();
  assert.equal(h.ticks.length, 1);
  assert.equal(h.ticks[0]!.total.packets, 500);
  assert.equal(h.ticks[0]!.decoded.packets, 50);
});

test('property: whatever the skew between capture and counter reads, totals sum to the kernel count and the running total never falls below what was captured', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ kernel: fc.integer({ min: 0, max: 1000 }), captured: fc.integer({ min: 0, max: 1000 }), lateTimer: fc.integer({ min: 0, max: 250 }) }), { minLength: 1, maxLength: 30 }), (steps) => {
      const h = harness();
      let kernel = 0;
      let captured = 0;
      for (const s of steps) {
        // the kernel never counts fewer packets than were captured overall
        const k = Math.max(s.kernel, captured + s.captured - kernel);
        h.kernel(k);
        kernel += k;
        h.capture(s.captured, h.now() + 1);
        captured += s.captured;
        h.advance(100 + s.lateTimer);
        h.lt.step();
      }
      h.advance(100);
      h.lt.step();
      const sum = h.ticks.reduce((a, t) => a + t.total.packets, 0);
      assert.equal(sum, kernel);
      let reported = 0;
      let seen = 0;
      for (const t of h.ticks) {
        reported += t.total.packets;
        seen += t.decoded.packets;
        assert.ok(reported >= seen, `running total ${reported} below captured ${seen}`);
      }
    }),
    { numRuns: 200 },
  );
});
