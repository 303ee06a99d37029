import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetectionEngine } from '../engine.ts';
import type { Incident } from '../incident/incident.ts';
import { recommendMitigation } from './recommend.ts';
import { makeTicks, type Mix } from '../testing/tick-factory.ts';

const T0 = Date.UTC(2026, 10, 2, 12);
const reflectors = { sources: 3000, ttls: [44, 49, 53, 110, 115, 240] };

function incidentOf(mix: Mix): Incident {
  const engine = createDetectionEngine({ thresholds: { pps: 50_000 }, baseline: { enabled: false } }, { target: '203.0.113.10' });
  for (const t of makeTicks(T0, 5, mix)) engine.ingest(t);
  const i = engine.activeIncident();
  assert.ok(i);
  return i;
}

void test('amplification: discard UDP from the reflector port to the target; blackhole only as a last resort', () => {
  const i = incidentOf({ pps: 200_000, size: 468, udp: 1, srcPorts: { 11211: 0.97 }, ...reflectors });
  assert.equal(i.attackSubtype, 'memcached_amplification');
  const m = recommendMitigation(i);
  assert.deepEqual(m.flowspec[0], {
    match: { destination: '203.0.113.10/32', protocol: [17], source_port: [11211] },
    action: { type: 'discard' },
    reason: 'memcached_amplification: reflected UDP from source port 11211',
  });
  assert.deepEqual(m.firewall[0]?.src_ports, [11211]);
  assert.equal(m.flowspec.some((r) => r.match.source !== undefined), false, 'reflector lists are noise');
  assert.equal(m.blackhole?.prefix, '203.0.113.10/32');
  assert.equal(m.blackhole?.community, '65535:666');
  assert.equal(m.blackhole?.recommended, false);
  assert.equal(recommendMitigation(i, { linkBps: 800_000_000 }).blackhole?.recommended, true, 'the peak fills the uplink');
});

void test('spoofed SYN flood: SYN cookies and a SYN rate limit, never a source list', () => {
  const i = incidentOf({ pps: 300_000, size: 60, tcp: 1, flags: { syn: 1 }, sources: 20_000, ttls: [61] });
  assert.equal(i.attackSubtype, 'spoofed_syn_flood');
  const m = recommendMitigation(i);
  const rule = m.flowspec[0];
  assert.deepEqual(rule?.match.tcp_flags, ['syn', '!ack']);
  assert.equal(rule?.action.type, 'rate-limit');
  assert.equal(m.firewall[0]?.action, 'syn_cookies');
  assert.equal(m.flowspec.some((r) => r.match.source !== undefined), false);
});

void test('a flood from a few real sources: those sources are dropped', () => {
  const i = incidentOf({ pps: 100_000, size: 1000, udp: 1, sources: 4, listedSources: 4, ttls: [50] });
  const m = recommendMitigation(i);
  const bySource = m.flowspec.find((r) => r.match.source !== undefined);
  assert.equal(bySource?.match.source?.length, 4);
  assert.ok(bySource?.match.source?.every((s) => s.endsWith('/32')));
  assert.equal(bySource?.action.type, 'discard');
});

void test('without a target there is no blackhole and the rules say what is missing', () => {
  const engine = createDetectionEngine({ thresholds: { pps: 50_000 }, baseline: { enabled: false } });
  for (const t of makeTicks(T0, 3, { pps: 100_000, icmp: 1, udp: 0, size: 84, ...reflectors })) engine.ingest(t);
  const i = engine.activeIncident();
  assert.ok(i);
  const m = recommendMitigation(i);
  assert.equal(m.blackhole, undefined);
  assert.deepEqual(m.flowspec[0]?.match, { protocol: [1] });
  assert.ok(m.notes.some((n) => n.includes('target unknown')));
});
