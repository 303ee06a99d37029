import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TickStats } from '@breakwater/contracts';
import { createDetectionEngine, type DetectionEngine } from './engine.ts';
import type { DetectionEvent } from './incident/events.ts';
import { makeTick, makeTicks, NORMAL_WEB, type Mix } from './testing/tick-factory.ts';

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const STATIC = { thresholds: { pps: 10_000, bps: 2_000_000_000 }, baseline: { enabled: false } };

function feed(engine: DetectionEngine, ticks: TickStats[]): DetectionEvent[] {
  return ticks.flatMap((t) => engine.ingest(t));
}
const ofType = <T extends DetectionEvent['type']>(events: DetectionEvent[], type: T) =>
  events.filter((e): e is Extract<DetectionEvent, { type: T }> => e.type === type);

const flood: Mix = { pps: 40_000, size: 80, tcp: 1, flags: { syn: 1 }, dstPorts: { 443: 1 }, sources: 5000, ttls: [64] };

void test('steady load below the threshold never opens an incident', () => {
  const engine = createDetectionEngine(STATIC);
  const events = feed(engine, makeTicks(T0, 60, { ...NORMAL_WEB, pps: 9_000 }));
  assert.equal(ofType(events, 'incident.opened').length, 0);
  assert.equal(engine.status().state, 'elevated', '90% of the threshold without a baseline is elevated');
});

void test('opens on the very tick the one-second window crosses the threshold', () => {
  const engine = createDetectionEngine(STATIC);
  const ticks = [...makeTicks(T0, 3, { ...NORMAL_WEB, pps: 3000 }), ...makeTicks(T0 + 3000, 2, { pps: 30_000, udp: 1, size: 400 })];
  let expected = -1;
  for (let i = 0; i < ticks.length && expected < 0; i++) {
    const sum = ticks.slice(Math.max(0, i - 9), i + 1).reduce((s, t) => s + t.total.packets, 0);
    if (sum >= 10_000) expected = i;
  }
  assert.ok(expected > 30, 'the crossing happens during the attack, not before');
  let openedAt = -1;
  ticks.forEach((t, i) => {
    if (ofType(engine.ingest(t), 'incident.opened').length > 0 && openedAt < 0) openedAt = i;
  });
  assert.equal(openedAt, expected);
  // A 3x overshoot crosses well before a whole second of attack has passed.
  assert.ok(openedAt - 30 < 5, `opened ${openedAt - 30 + 1} ticks into the attack`);
});

void test('a burst shorter than the window does not open when its packets stay under the threshold', () => {
  const engine = createDetectionEngine(STATIC);
  const background = { ...NORMAL_WEB, pps: 2000 };
  // 200 ms at 4x the threshold: 8,000 packets + 1,600 background in the window < 10,000.
  const ticks = [...makeTicks(T0, 5, background), ...makeTicks(T0 + 5000, 0.2, { ...background, pps: 40_000 }), ...makeTicks(T0 + 5200, 5, background)];
  assert.equal(ofType(feed(engine, ticks), 'incident.opened').length, 0);
  // The same burst 100 ms longer carries 12,000 packets: that is an attack.
  const engine2 = createDetectionEngine(STATIC);
  const ticks2 = [...makeTicks(T0, 5, background), ...makeTicks(T0 + 5000, 0.3, { ...background, pps: 40_000 })];
  assert.equal(ofType(feed(engine2, ticks2), 'incident.opened').length, 1);
});

void test('a bulk TCP download (ACK/PSH from few sources, high bps below the bps threshold) does not alarm', () => {
  const engine = createDetectionEngine({ thresholds: { pps: 200_000, bps: 2_000_000_000 }, baseline: { enabled: false } });
  const download: Mix = { pps: 120_000, size: 1500, tcp: 1, flags: { ack: 0.2, psh: 0.8 }, srcPorts: { 443: 1 }, sources: 2, ttls: [55] };
  const events = feed(engine, makeTicks(T0, 20, download));
  assert.equal(ofType(events, 'incident.opened').length, 0);
  assert.ok(engine.status().rates.bps > 1_000_000_000, 'the download is fast');
});

void test('hysteresis and cooldown: one incident through dips and spikes, resolved cooldownMs after the last rise', () => {
  const engine = createDetectionEngine({ ...STATIC, hysteresis: { resolveRatio: 0.7, cooldownMs: 10_000 } });
  const ticks: TickStats[] = [...makeTicks(T0, 5, flood)];
  // Oscillates between 60% and 130% of the threshold: never 10 s below 70% in a row.
  for (let s = 0; s < 32; s++) ticks.push(...makeTicks(T0 + 5000 + s * 1000, 1, { ...flood, pps: s % 4 === 3 ? 13_000 : 6_000 }));
  const quietFrom = T0 + 37_000;
  ticks.push(...makeTicks(quietFrom, 20, { ...NORMAL_WEB, pps: 1000 }));
  const events = feed(engine, ticks);
  assert.equal(ofType(events, 'incident.opened').length, 1);
  const resolved = ofType(events, 'incident.resolved');
  assert.equal(resolved.length, 1);
  const r = resolved[0] as (typeof resolved)[number];
  // The window drops below 7,000 pps within a second of the quiet traffic starting.
  assert.ok(r.incident.endedAt !== null && r.incident.endedAt > quietFrom && r.incident.endedAt <= quietFrom + 1000);
  assert.equal(r.at - (r.incident.endedAt ?? 0), 10_000);
  assert.equal(engine.status().state, 'normal');
});

void test('a dip below the resolve level shorter than the cooldown does not split the incident', () => {
  const engine = createDetectionEngine({ ...STATIC, hysteresis: { cooldownMs: 5000 } });
  const ticks = [...makeTicks(T0, 5, flood), ...makeTicks(T0 + 5000, 3, { ...NORMAL_WEB, pps: 500 }), ...makeTicks(T0 + 8000, 5, flood), ...makeTicks(T0 + 13_000, 10, { ...NORMAL_WEB, pps: 500 })];
  const events = feed(engine, ticks);
  assert.equal(ofType(events, 'incident.opened').length, 1);
  assert.equal(ofType(events, 'incident.resolved').length, 1);
});

void test('updates: periodic, on escalation and on peak growth; the peak is the largest window', () => {
  const engine = createDetectionEngine({ ...STATIC, reporting: { updateIntervalMs: 5000 } });
  const ticks = [...makeTicks(T0, 12, { ...flood, pps: 12_000 }), ...makeTicks(T0 + 12_000, 3, { ...flood, pps: 150_000 })];
  const events = feed(engine, ticks);
  const updates = ofType(events, 'incident.updated');
  assert.ok(updates.some((u) => u.reasons.includes('periodic')));
  const escalated = updates.find((u) => u.reasons.includes('escalated'));
  assert.ok(escalated, 'going from 1.2x to 15x escalates');
  assert.equal(engine.activeIncident()?.severity, 'critical');
  const periodic = updates.filter((u) => u.reasons.includes('periodic')).map((u) => u.at);
  for (let i = 1; i < periodic.length; i++) assert.ok((periodic[i] ?? 0) - (periodic[i - 1] ?? 0) >= 5000);
  const peak = engine.activeIncident()?.peakPps ?? 0;
  assert.ok(Math.abs(peak - 150_000) < 1, `peak ${peak}`);
});

void test('a source that goes quiet: advance() drains the window and resolves after the cooldown', () => {
  const engine = createDetectionEngine({ ...STATIC, hysteresis: { cooldownMs: 3000 } });
  feed(engine, makeTicks(T0, 3, flood));
  assert.ok(engine.activeIncident());
  assert.equal(engine.advance(T0 + 3500).filter((e) => e.type === 'incident.resolved').length, 0);
  const events = engine.advance(T0 + 60_000);
  const resolved = ofType(events, 'incident.resolved');
  assert.equal(resolved.length, 1);
  assert.equal(resolved[0]?.at, (resolved[0]?.incident.endedAt ?? 0) + 3000);
  assert.equal(engine.activeIncident(), undefined);
});

void test('gaps count as zero traffic and long ticks are spread over their duration', () => {
  const engine = createDetectionEngine(STATIC);
  // One tick, then 5 s of nothing: the window holds at most the one tick's 100 ms.
  engine.ingest(makeTick(T0, { pps: 60_000 }));
  assert.equal(engine.status().rates.pps, 6000);
  engine.ingest(makeTick(T0 + 5000, { pps: 60_000 }));
  assert.equal(engine.status().rates.pps, 6000);
  // A flow collector exporting every 5 s: 60,000 packets over 5 s is 12,000 pps, above 10,000.
  const collector = createDetectionEngine(STATIC);
  const events = collector.ingest(makeTick(T0, { pps: 12_000 }, 5000));
  assert.equal(ofType(events, 'incident.opened').length, 1);
  assert.ok(Math.abs(collector.status().rates.pps - 12_000) < 1);
});

void test('duplicate and out-of-order ticks are dropped; a clock stepped far back starts the window over', () => {
  const engine = createDetectionEngine(STATIC);
  const t = makeTick(T0, { pps: 50_000 });
  engine.ingest(t);
  engine.ingest(t);
  assert.equal(engine.status().droppedTicks, 1);
  assert.equal(engine.status().rates.pps, 5000);
  feed(engine, makeTicks(T0 + 100, 2, flood));
  assert.ok(engine.activeIncident());
  // The source's clock jumps back an hour while the flood goes on, then traffic stops.
  feed(engine, makeTicks(T0 - 3_600_000, 2, flood));
  const events = feed(engine, makeTicks(T0 - 3_598_000, 30, { ...NORMAL_WEB, pps: 100 }));
  assert.equal(ofType(events, 'incident.resolved').length, 1);
  assert.equal(ofType(events, 'incident.opened').length, 0);
});

void test('per-host overrides: the most specific prefix containing the target wins', () => {
  const config = {
    ...STATIC,
    overrides: [
      { match: '203.0.113.0/24', thresholds: { pps: 50_000 } },
      { match: '203.0.113.10', thresholds: { pps: 100_000 } },
    ],
  };
  assert.equal(createDetectionEngine(config, { target: '203.0.113.10' }).config.thresholds.pps, 100_000);
  assert.equal(createDetectionEngine(config, { target: '203.0.113.11' }).config.thresholds.pps, 50_000);
  assert.equal(createDetectionEngine(config, { target: '198.51.100.1' }).config.thresholds.pps, 10_000);
  const engine = createDetectionEngine(config, { target: '203.0.113.10' });
  const udp: Mix = { pps: 40_000, udp: 1 };
  assert.equal(ofType(feed(engine, makeTicks(T0, 3, udp)), 'incident.opened').length, 0, '40 kpps is below this host’s 100 kpps');
  assert.equal(createDetectionEngine(config, { target: '203.0.113.10' }).config.thresholds.bps, 2_000_000_000, 'other thresholds are kept');
});

void test('state signal: normal → elevated → attack → normal, each change reported once', () => {
  const engine = createDetectionEngine({ ...STATIC, hysteresis: { cooldownMs: 1000 } });
  const events = feed(engine, [
    ...makeTicks(T0, 3, { ...NORMAL_WEB, pps: 1000 }),
    ...makeTicks(T0 + 3000, 3, { ...NORMAL_WEB, pps: 7000 }),
    ...makeTicks(T0 + 6000, 3, flood),
    ...makeTicks(T0 + 9000, 5, { ...NORMAL_WEB, pps: 1000 }),
  ]);
  const changes = ofType(events, 'state.changed').map((e) => e.to);
  assert.deepEqual(changes, ['elevated', 'attack', 'normal']);
});
