// Bulk TCP transfers and fast open (fast/bulk-transfer.ts), on simulated time: a download that
// fills a 1 Gbit/s link for tens of milliseconds is far above a 20 kpps threshold on the short
// rungs, yet its detail says it is an established transfer; a flood of the same full-size frames
// is not, and opens as soon as its detail says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetectionEngine } from '../engine.ts';
import type { Mix } from '../testing/tick-factory.ts';
import { drive, opened } from '../testing/counter-drive.ts';
import { emptyDetail } from '../window/traffic-detail.ts';
import { BULK_MAX_WAIT_MS, judgeTransfer } from './bulk-transfer.ts';

const T0 = Date.UTC(2026, 10, 2, 12);
const THRESHOLD = 20_000;
const CONFIG = { thresholds: { pps: THRESHOLD }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } };
/** A 1 Gbit/s link full of 1500-byte frames. */
const LINE_RATE = 83_000;
/** A download as the capture sees it: data frames from the server, the node's ACKs back. */
const DOWNLOAD: Mix = { pps: 0, size: 1040, tcp: 1, flags: { ack: 0.6, psh: 0.4 }, dstPorts: { 41000: 0.67 }, srcPorts: { 443: 0.67 }, sources: 2, ttls: [64] };
/** Full-size UDP frames from many sources (a fragmented amplification flood, say). */
const BIG_UDP: Mix = { pps: 0, size: 1500, udp: 1, dstPorts: { 0: 1 }, sources: 400, ttls: [52, 57, 116] };
const QUIET: Mix = { pps: 0, size: 300, tcp: 0.9, udp: 0.1, flags: { ack: 0.7, psh: 0.3 }, sources: 5 };

/** Counter bytes are inbound frames: 1500 bytes each for the data of a transfer or a big flood. */
const withFrames = (mix: Mix): Mix => ({ ...mix, size: 1500 });

test('a download filling the link for 80 ms (4x the threshold on every short rung) opens nothing: its detail is an established transfer', () => {
  for (const burst of [30, 80, 150]) {
    const engine = createDetectionEngine(CONFIG);
    const start = T0 + 2000;
    // Counters see 1500-byte frames; the ticks' detail sees the transfer (both directions).
    const events = drive(engine, T0, T0 + 4000, (t) => (t >= start && t < start + burst ? LINE_RATE : 500), (t) => (t >= start && t < start + burst ? { ...DOWNLOAD, size: 1500 } : QUIET));
    assert.equal(opened(events).length, 0, `a ${burst} ms download opened an incident`);
  }
});

test('the same frames as a flood from many sources open as soon as the first detail tick shows them, and long before the one-second window would', () => {
  const engine = createDetectionEngine(CONFIG);
  // At a tick boundary: the test's ticks take the mix of their start.
  const start = T0 + 2000;
  const events = drive(engine, T0, T0 + 4000, (t) => (t >= start ? 2 * THRESHOLD : 500), (t) => (t >= start ? withFrames(BIG_UDP) : QUIET));
  const first = opened(events)[0];
  assert.ok(first, 'the flood opened');
  const ms = first.at - start;
  // Held for the detail (the tick after the 20 ms x 3 rung fires), never for the one-second window.
  assert.ok(ms > 60 && ms <= 200, `opened ${ms} ms after the first packet`);
  assert.equal((first.e as { incident: { attackFamily: string } }).incident.attackFamily, 'udp_flood', 'named from the detail it waited for');
});

test('small-packet floods never wait for detail: a 5x UDP flood still opens within 30 ms', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2003;
  const events = drive(engine, T0, T0 + 3000, (t) => (t >= start ? 5 * THRESHOLD : 500), (t) => (t >= start ? { ...BIG_UDP, size: 106, sources: 1 } : QUIET));
  const first = opened(events)[0];
  assert.ok(first && first.at - start <= 30, `opened ${first ? first.at - start : 'never'} ms after the first packet`);
});

test('without a capture (counters only) a bulk-sized flood opens once it has fired for the longest wait', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000;
  let openedAt: number | undefined;
  for (let t = T0; t < T0 + 4000 && openedAt === undefined; t += 10) {
    const packets = t >= start ? (2 * THRESHOLD) / 100 : 5;
    for (const e of engine.ingestCounters({ ts: t, durationMs: 10, packets, bytes: packets * 1500 })) if (e.type === 'incident.opened') openedAt = t + 10;
  }
  assert.ok(openedAt !== undefined, 'opened');
  const ms = openedAt - start;
  assert.ok(ms >= BULK_MAX_WAIT_MS && ms <= BULK_MAX_WAIT_MS + 100, `opened ${ms} ms after the first packet`);
});

test('a transfer that keeps the link full for seconds is still opened by the one-second window', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000;
  const events = drive(engine, T0, T0 + 5000, (t) => (t >= start ? LINE_RATE : 500), (t) => (t >= start ? withFrames(DOWNLOAD) : QUIET));
  const first = opened(events)[0];
  assert.ok(first, 'opened');
  assert.ok(first.at - start >= 200 && first.at - start <= 1000, `opened ${first.at - start} ms after the start (the window crosses at ~240 ms)`);
});

test('judgeTransfer: established TCP between few peers is a transfer; handshake floods, bare ACKs, many sources and UDP are not', () => {
  const detail = (o: { packets: number; tcp: number; tcpBytes: number; ack: number; psh: number; syn?: number; sources: number }) => {
    const d = emptyDetail();
    d.packets = o.packets;
    d.bytes = o.tcpBytes + (o.packets - o.tcp) * 100;
    d.tcp = { packets: o.tcp, bytes: o.tcpBytes };
    d.udp = { packets: o.packets - o.tcp, bytes: (o.packets - o.tcp) * 100 };
    d.tcpFlags = { ...d.tcpFlags, ack: o.ack, psh: o.psh, syn: o.syn ?? 0 };
    d.distinctSourcesMax = o.sources;
    d.decodedPacketsSum = o.packets;
    return d;
  };
  assert.equal(judgeTransfer(detail({ packets: 1000, tcp: 1000, tcpBytes: 1_040_000, ack: 600, psh: 400, sources: 2 }), 20), 'transfer');
  assert.equal(judgeTransfer(detail({ packets: 10, tcp: 10, tcpBytes: 15_000, ack: 6, psh: 4, sources: 2 }), 20), 'no_detail');
  assert.equal(judgeTransfer(detail({ packets: 1000, tcp: 1000, tcpBytes: 60_000, ack: 1000, psh: 0, sources: 2 }), 20), 'not_transfer', 'bare ACKs carry no data');
  assert.equal(judgeTransfer(detail({ packets: 1000, tcp: 1000, tcpBytes: 1_040_000, ack: 50, psh: 50, syn: 900, sources: 2 }), 20), 'not_transfer', 'SYNs');
  assert.equal(judgeTransfer(detail({ packets: 1000, tcp: 1000, tcpBytes: 1_040_000, ack: 600, psh: 400, sources: 300 }), 20), 'not_transfer', 'many sources');
  assert.equal(judgeTransfer(detail({ packets: 1000, tcp: 500, tcpBytes: 520_000, ack: 300, psh: 200, sources: 2 }), 20), 'not_transfer', 'half UDP');
});
