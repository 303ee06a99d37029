import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TickStats } from '@breakwater/contracts';
import { createDetectionEngine, type DetectionEngine } from '../engine.ts';
import { createHourlyBaseline } from './hourly-baseline.ts';
import { defaultConfig } from '../config/validate.ts';
import { makeTicks, NORMAL_WEB } from '../testing/tick-factory.ts';

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2026, 10, 2);
const config = {
  thresholds: { pps: 1_000_000, bps: 100_000_000_000, icmpPps: 0, synPps: 0, fragmentPps: 0 },
  baseline: { warmupSamples: 60, minBucketSamples: 30, multiplier: 3, floorPps: 100, floorBps: 1000 },
};
const feed = (e: DetectionEngine, ticks: TickStats[]) => ticks.flatMap((t) => e.ingest(t));
const ppsThreshold = (e: DetectionEngine) => e.status().thresholds.find((t) => t.name === 'pps');

void test('warm-up: the static threshold applies until enough samples were learned, then p99 x multiplier', () => {
  const engine = createDetectionEngine(config);
  feed(engine, makeTicks(DAY0 + 3 * HOUR, 50, { ...NORMAL_WEB, pps: 1000 }));
  assert.equal(engine.status().baseline.ready, false);
  assert.deepEqual(ppsThreshold(engine), { name: 'pps', value: 1_000_000, source: 'static' });
  feed(engine, makeTicks(DAY0 + 3 * HOUR + 50_000, 20, { ...NORMAL_WEB, pps: 1000 }));
  assert.equal(engine.status().baseline.ready, true);
  assert.deepEqual(ppsThreshold(engine), { name: 'pps', value: 3000, source: 'baseline' });
  // 3.5x normal now opens an incident, and says the baseline fired.
  const events = feed(engine, makeTicks(DAY0 + 3 * HOUR + 70_000, 2, { ...NORMAL_WEB, pps: 3500 }));
  const opened = events.find((e) => e.type === 'incident.opened');
  assert.ok(opened && opened.type === 'incident.opened');
  assert.equal(opened.incident.threshold.source, 'baseline');
  assert.equal(opened.incident.threshold.value, 3000);
});

void test('floors: the dynamic threshold never drops below floorPps', () => {
  const engine = createDetectionEngine({ ...config, baseline: { ...config.baseline, floorPps: 5000 } });
  feed(engine, makeTicks(DAY0, 70, { ...NORMAL_WEB, pps: 100 }));
  assert.deepEqual(ppsThreshold(engine), { name: 'pps', value: 5000, source: 'baseline' });
});

void test('hour-of-day buckets: each hour is judged against its own history', () => {
  const engine = createDetectionEngine(config);
  feed(engine, makeTicks(DAY0 + 3 * HOUR, 70, { ...NORMAL_WEB, pps: 1000 }));
  // The evening ramps up; each step stays under the threshold the previous one taught.
  feed(engine, makeTicks(DAY0 + 20 * HOUR, 70, { ...NORMAL_WEB, pps: 2500 }));
  assert.equal(ppsThreshold(engine)?.value, 7500);
  feed(engine, makeTicks(DAY0 + 20 * HOUR + 70_000, 70, { ...NORMAL_WEB, pps: 6000 }));
  feed(engine, makeTicks(DAY0 + 20 * HOUR + 140_000, 140, { ...NORMAL_WEB, pps: 10_000 }));
  assert.equal(engine.activeIncident(), undefined);
  assert.equal(ppsThreshold(engine)?.value, 30_000);
  assert.equal(engine.status().baseline.source, 'hour');
  // Next day at 03:00: back to the quiet hour's threshold.
  feed(engine, makeTicks(DAY0 + 27 * HOUR, 2, { ...NORMAL_WEB, pps: 1000 }));
  assert.equal(ppsThreshold(engine)?.value, 3000);
  assert.equal(engine.status().baseline.hour, 3);
});

void test('a thin hour bucket falls back to the recent pool across hours', () => {
  const b = createHourlyBaseline({ ...defaultConfig().baseline, warmupSamples: 10, minBucketSamples: 30 });
  for (let i = 0; i < 40; i++) b.learn(DAY0 + 5 * HOUR + i * 1000, 1000, 8e6);
  for (let i = 0; i < 10; i++) b.learn(DAY0 + 6 * HOUR + i * 1000, 5000, 8e6);
  assert.equal(b.levels(DAY0 + 5 * HOUR).source, 'hour');
  const six = b.levels(DAY0 + 6 * HOUR);
  assert.equal(six.source, 'recent');
  assert.equal(six.ppsPercentile, 5000);
  assert.equal(b.levels(DAY0 + 5 * HOUR).ppsPercentile, 1000);
});

void test('utcOffsetMinutes moves the buckets to local time', () => {
  const b = createHourlyBaseline({ ...defaultConfig().baseline, utcOffsetMinutes: 120 });
  assert.equal(b.levels(DAY0 + 23 * HOUR).hour, 1);
  assert.equal(b.levels(DAY0 - 1).hour, 1);
});

void test('no learning while under attack (cooldown included), and the state survives a restart', () => {
  const engine = createDetectionEngine({ ...config, hysteresis: { cooldownMs: 5000 } });
  feed(engine, makeTicks(DAY0, 70, { ...NORMAL_WEB, pps: 1000 }));
  const learned = engine.status().baseline.learnedSamples;
  assert.ok(learned >= 60);
  feed(engine, makeTicks(DAY0 + 70_000, 60, { ...NORMAL_WEB, pps: 50_000 }));
  assert.equal(engine.status().baseline.learnedSamples, learned, 'attack seconds are not learned');
  const events = feed(engine, makeTicks(DAY0 + 130_000, 10, { ...NORMAL_WEB, pps: 1000 }));
  const resolved = events.find((e) => e.type === 'incident.resolved');
  assert.ok(resolved);
  const learnedAfter = engine.status().baseline.learnedSamples;
  // Only once a second from the resolving tick on.
  assert.ok(learnedAfter - learned <= Math.floor((DAY0 + 140_000 - resolved.at) / 1000) + 1, `${learnedAfter - learned} learned`);
  assert.equal(ppsThreshold(engine)?.value, 3000, 'the threshold did not creep up');

  const restarted = createDetectionEngine(config, { baselineState: engine.exportBaseline() });
  assert.equal(restarted.status().baseline.learnedSamples, learnedAfter);
  restarted.ingest(makeTicks(DAY0 + 200_000, 0.1, NORMAL_WEB)[0] as TickStats);
  assert.equal(ppsThreshold(restarted)?.value, 3000);
});

void test('elevated: above p99 x elevatedMultiplier but below the threshold', () => {
  const engine = createDetectionEngine(config);
  feed(engine, makeTicks(DAY0, 70, { ...NORMAL_WEB, pps: 1000 }));
  assert.equal(engine.status().state, 'normal');
  feed(engine, makeTicks(DAY0 + 70_000, 2, { ...NORMAL_WEB, pps: 2000 }));
  assert.equal(engine.status().state, 'elevated');
  assert.equal(engine.activeIncident(), undefined);
});
