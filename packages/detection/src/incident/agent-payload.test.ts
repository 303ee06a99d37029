import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentIncident, IncidentOpenBody, IncidentReportBody, IncidentResolveBody, IncidentUpdateBody } from '@breakwater/contracts';
import { Value } from 'typebox/value';
import { createDetectionEngine } from '../engine.ts';
import { toAgentIncident } from './agent-payload.ts';
import type { DetectionEvent } from './events.ts';
import { makeTicks, NORMAL_WEB, type Mix } from '../testing/tick-factory.ts';

const T0 = Date.UTC(2026, 10, 2, 12);
const ntp: Mix = {
  pps: 200_000,
  size: 468,
  udp: 1,
  srcPorts: { 123: 0.95 },
  dstPorts: { 80: 0.3 },
  sources: 3000,
  listedSources: 12,
  ttls: [45, 50, 52, 110, 115, 240],
  countries: { CN: 0.5, US: 0.3, BR: 0.2 },
};

function run(): DetectionEvent[] {
  const engine = createDetectionEngine({ thresholds: { pps: 50_000 }, baseline: { enabled: false } }, { target: '203.0.113.10' });
  return [
    ...makeTicks(T0, 5, NORMAL_WEB),
    ...makeTicks(T0 + 5000, 10, ntp),
    ...makeTicks(T0 + 15_000, 30, NORMAL_WEB),
  ].flatMap((t) => engine.ingest(t));
}

void test('an NTP reflection attack end to end: the agent API payload on open and on resolve', () => {
  const events = run();
  const opened = events.find((e) => e.type === 'incident.opened');
  const resolved = events.find((e) => e.type === 'incident.resolved');
  assert.ok(opened?.type === 'incident.opened' && resolved?.type === 'incident.resolved');
  const open = toAgentIncident(opened.incident);
  assert.equal(open.status, 'active');
  assert.equal(open.attack_family, 'udp_flood');
  assert.equal(open.attack_subtype, 'ntp_amplification');
  assert.equal(open.threshold.name, 'pps');
  assert.equal(open.threshold.value, 50_000);
  assert.ok(open.threshold.observed >= 50_000);
  assert.ok(open.started_at > T0 + 5000 && open.started_at <= T0 + 5400, 'opened within the first ticks of the attack');

  const p = toAgentIncident(resolved.incident);
  assert.equal(p.status, 'resolved');
  assert.ok(Math.abs(p.peak_pps - 200_000) <= 1, `peak_pps ${p.peak_pps}`);
  assert.ok(Math.abs(p.peak_bps - 200_000 * 468 * 8) <= 8);
  assert.equal(p.severity, 'high', '4x the threshold: between high (3x) and critical (10x)');
  assert.ok(p.protocol_breakdown.udp > 97);
  assert.equal(p.protocol_breakdown.tcp + p.protocol_breakdown.udp + p.protocol_breakdown.icmp <= 100.2, true);
  assert.equal(p.source_ip_count, 3000);
  assert.equal(p.top_src_ips.length, 10, 'topN');
  assert.ok(p.top_src_ips.every((s) => typeof s.ip === 'string' && s.count > 0));
  assert.deepEqual(p.top_dst_ports.map((x) => x.port).slice(0, 1), [80]);
  assert.deepEqual(Object.keys(p.geo_breakdown).slice(0, 3), ['CN', 'US', 'BR']);
  assert.equal(p.spoofing_detected, false);
  assert.equal(p.botnet_detected, false);
  assert.match(p.explanation, /source port 123 \(NTP\)/);
  assert.match(p.explanation, /opened by pps \d+ ≥ static threshold 50000/);
  assert.ok(p.ended_at !== null && p.ended_at > T0 + 15_000 && p.ended_at < T0 + 16_100);
  assert.equal(p.duration_seconds, Math.round((p.ended_at - p.started_at) / 1000));
  assert.ok(p.total_packets > 1_900_000, 'the whole attack is in the aggregate');
  assert.equal(typeof p.ttl_distribution['45'], 'number');
  // 468-byte NTP responses, plus the bit of web traffic that shared the opening window.
  assert.ok((p.pkt_length_histogram['512'] ?? 0) > 50 * (p.pkt_length_histogram['1024'] ?? 0));
  // Plain JSON, nothing the server would have to special-case.
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
});

void test('the payload carries every field the agent API names for incidents', () => {
  const resolved = run().find((e) => e.type === 'incident.resolved');
  assert.ok(resolved?.type === 'incident.resolved');
  const p = toAgentIncident(resolved.incident);
  for (const key of [
    'attack_family',
    'attack_subtype',
    'severity',
    'peak_pps',
    'peak_bps',
    'started_at',
    'ended_at',
    'protocol_breakdown',
    'tcp_flag_breakdown',
    'geo_breakdown',
    'source_ip_count',
    'top_src_ips',
    'top_dst_ports',
    'ioc_matches',
    'spoofing_detected',
    'botnet_detected',
    'explanation',
    'threshold',
  ]) {
    assert.ok(key in p, key);
  }
});

void test('open, update and resolve payloads are the contracts shape and pass the server\'s agent API schemas', () => {
  const events = run();
  for (const e of events) {
    if (e.type !== 'incident.opened' && e.type !== 'incident.updated' && e.type !== 'incident.resolved') continue;
    const p = toAgentIncident(e.incident);
    assert.ok(Value.Check(AgentIncident, p), JSON.stringify([...Value.Errors(AgentIncident, p)].slice(0, 3)));
    for (const body of [IncidentOpenBody, IncidentUpdateBody, IncidentResolveBody, IncidentReportBody]) {
      assert.ok(Value.Check(body, p), JSON.stringify([...Value.Errors(body, p)].slice(0, 3)));
    }
  }
});
