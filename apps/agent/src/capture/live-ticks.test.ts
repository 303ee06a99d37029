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

test('under sampling: totals stay the kernel’s exactly, detail is 1 in N, and shares (per second and in the incident) match the traffic', async () => {
  const { concat, ethernet, ipv4, tcp, udp } = await import('@breakwater/packets/testing');
  const { createDetectionEngine, toAgentIncident } = await import('@breakwater/detection');
  const { SecondAccumulator } = await import('@breakwater/uplink');
  let now = 1_700_000_000_000;
  let rx = 0;
  const counters = { read: (): CounterReading => ({ rxPackets: rx, rxBytes: rx * 100, rxDropped: 0, ipIn: rx, tcpIn: 0, udpIn: rx, icmpIn: 0 }) };
  // Each probed decode "costs" 10 µs by this clock: at 200 kpps a quarter core allows 1 in 8.
  let clock = 0;
  const perfNow = () => (clock += 0.01);
  const ticks: TickStats[] = [];
  // this loop keeps the event loop busy: its load is not what is under test here
  const lt = new LiveTicks({ sampling: { budget: 0.25 } }, { counters, now: () => now, onTick: (t) => ticks.push(t), perfNow, eventLoopLoad: () => 0 });
  lt.start();
  lt.stop();
  const dns = Array.from({ length: 50 }, (_, i) => ethernet(0x0800, ipv4({ src: `203.0.113.${i + 1}`, dst: '198.51.100.5', protocol: 17, payload: udp(40_000 + i, 53, new Uint8Array(40)) })));
  const syn = Array.from({ length: 50 }, (_, i) => ethernet(0x0800, ipv4({ src: `192.0.2.${i + 1}`, dst: '198.51.100.5', protocol: 6, payload: tcp({ srcPort: 50_000 + i, dstPort: 80, flags: 0x02 }) })));
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const PER_TICK = 20_000;
  const engine = createDetectionEngine({ thresholds: { pps: 50_000 }, baseline: { enabled: false } }, { target: '198.51.100.5' });
  const seconds = new SecondAccumulator();
  const samples: Record<string, unknown>[] = [];
  let opened: ReturnType<typeof toAgentIncident> | null = null;
  let udpSent = 0;
  const all: TickStats[] = [];
  for (let k = 0; k < 30; k++) {
    const frames = Array.from({ length: PER_TICK }, (_, i) => {
      const isUdp = rand() < 0.7;
      if (isUdp) udpSent++;
      return { tsMs: now + (i * 100) / PER_TICK, data: concat(isUdp ? dns[i % 50]! : syn[i % 50]!) };
    });
    for (const rec of readCaptureBuffer(buildPcap({ linktype: 1 }, frames))) lt.onRecord(rec);
    rx += PER_TICK;
    now += 100;
    lt.step();
    for (const t of ticks.splice(0)) {
      for (const e of engine.ingest(t)) if (e.type === 'incident.opened' || e.type === 'incident.updated') opened = toAgentIncident(e.incident);
      const s = seconds.add(t);
      if (s) samples.push(s);
      all.push(t);
    }
  }
  assert.equal(all.reduce((a, t) => a + t.total.packets, 0), 30 * PER_TICK, 'totals: exactly the kernel count');
  assert.equal(lt.sampling.rate, 8);
  const late = all.slice(10);
  for (const t of late) {
    assert.ok(t.sampleRate > 7 && t.sampleRate < 9, `N ${t.sampleRate}`);
    assert.ok(Math.abs(t.decoded.packets * t.sampleRate - PER_TICK) < 1e-6 * PER_TICK, 'decoded × N = packets seen');
    const udpShare = t.byProtocol.udp.packets / t.decoded.packets;
    assert.ok(Math.abs(udpShare - 0.7) < 0.08, `tick udp share ${udpShare}`);
  }
  const truth = (udpSent / (30 * PER_TICK)) * 100;
  for (const s of samples.slice(1)) assert.ok(Math.abs((s.udp_pct as number) - truth) < 3, `second udp_pct ${String(s.udp_pct)} vs ${truth.toFixed(1)}`);
  assert.ok(opened, 'the 200 kpps flood opened an incident');
  assert.ok(Math.abs(opened.protocol_breakdown.udp - truth) < 3, `incident udp ${opened.protocol_breakdown.udp}% vs ${truth.toFixed(1)}%`);
  assert.ok(opened.peak_pps >= 190_000 && opened.peak_pps <= 210_000, `peak ${opened.peak_pps} from the kernel totals`);
});
