// Flow records → per-destination ticks and engines: only protected destinations are watched, counts
// are scaled by each record's sampling rate, flags of flows become the engine's flag classes, and a
// sampled SYN flood is classified as the agent would classify it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowRecord } from '@breakwater/contracts';
import { createFlowDetector } from './flow-detector.ts';
import { FlowTickBuilder } from './flow-tick-builder.ts';

function rec(p: Partial<FlowRecord>): FlowRecord {
  return {
    protocol: 'netflow_v9', exporter: '192.0.2.1', agent: '192.0.2.1', domain: 0, ipVersion: 4, srcAddr: '198.51.100.1', dstAddr: '203.0.113.10',
    srcPort: 40000, dstPort: 80, ipProtocol: 6, tcpFlags: 0x02, packetsRaw: 1, bytesRaw: 60, packets: 1, bytes: 60, samplingRate: 1,
    startMs: 0, endMs: 0, inputIf: 0, outputIf: 0, vlan: 0, tos: 0, fragment: false, ttl: 0, receivedAtMs: 0, ...p,
  };
}

test('tick builder: exported units as decoded detail, sampled totals, flow flags into flag classes', () => {
  const b = new FlowTickBuilder();
  b.add(rec({ tcpFlags: 0x02, packetsRaw: 10, bytesRaw: 600, packets: 10_000, bytes: 600_000, samplingRate: 1000 }));
  // An established flow: one SYN-ACK, one FIN, the rest plain ACKs (PSH on every packet).
  b.add(rec({ srcAddr: '198.51.100.2', tcpFlags: 0x1b, packetsRaw: 20, bytesRaw: 20_000, packets: 20, bytes: 20_000 }));
  b.add(rec({ srcAddr: '198.51.100.3', ipProtocol: 17, dstPort: 53, tcpFlags: 0, packetsRaw: 5, bytesRaw: 500, packets: 5, bytes: 500, fragment: true, ttl: 64, ipVersion: 6 }));
  const t = b.take(1000, 100);
  assert.deepEqual(t.total, { packets: 10_025, bytes: 620_500 });
  assert.deepEqual(t.decoded, { packets: 35, bytes: 21_100 });
  assert.equal(t.byProtocol.tcp.packets, 30);
  assert.equal(t.byProtocol.udp.packets, 5);
  assert.equal(t.tcpFlags.syn, 10);
  assert.equal(t.tcpFlags.synAck, 1);
  assert.equal(t.tcpFlags.fin, 1);
  assert.equal(t.tcpFlags.ack, 18);
  assert.equal(t.fragments.packets, 5);
  assert.equal(t.ipv6.packets, 5);
  assert.equal(t.ttlHistogram[64], 5);
  assert.equal(t.topSources[0]!.key, '198.51.100.2');
  assert.equal(t.distinctSources, 3);
  assert.deepEqual(b.take(1100, 100).total, { packets: 0, bytes: 0 }, 'each tick starts afresh');
});

test('detector: one engine per protected destination; a sampled SYN flood opens syn_flood on its host only', () => {
  const d = createFlowDetector({ networks: ['203.0.113.0/24'], detection: { thresholds: { pps: 5000 }, baseline: { enabled: false } } });
  assert.equal(d.add(rec({ dstAddr: '192.0.2.99' }), 0), false);
  assert.equal(d.stats.recordsOutside, 1);
  assert.throws(() => createFlowDetector({ networks: ['nope'] }), /networks\[0\]: must be an IPv4\/IPv6 address or prefix/);
  const t0 = 1_700_000_000_000;
  d.flush(t0);
  let opened = null;
  for (let i = 1; i <= 20 && !opened; i++) {
    // sFlow 1:1000: 2 sampled SYNs per 100 ms from random sources = 20 kpps.
    for (let k = 0; k < 2; k++) d.add(rec({ protocol: 'sflow_v5', srcAddr: `198.51.${i}.${k}`, packetsRaw: 1, bytesRaw: 60, packets: 1000, bytes: 60_000, samplingRate: 1000 }), t0 + i * 100);
    d.add(rec({ dstAddr: '203.0.113.20', tcpFlags: 0x18, packetsRaw: 1, packets: 1 }), t0 + i * 100);
    for (const h of d.flush(t0 + i * 100)) for (const e of h.events) if (e.type === 'incident.opened') opened = { host: h.host, e };
  }
  assert.ok(opened, 'an incident opened');
  assert.equal(opened.host, '203.0.113.10');
  assert.equal(opened.e.incident.attackFamily, 'syn_flood');
  assert.deepEqual(d.hosts().sort(), ['203.0.113.10', '203.0.113.20']);
  assert.equal(d.engine('203.0.113.20')!.activeIncident(), undefined);
});
