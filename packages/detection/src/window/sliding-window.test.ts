import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlidingWindow } from './sliding-window.ts';
import { sanitizeTick } from './sanitize-tick.ts';
import { makeTick } from '../testing/tick-factory.ts';
import type { TickStats } from '@breakwater/contracts';
import { createDetectionEngine } from '../engine.ts';

const tick = (ts: number, pps: number, durationMs = 100) => sanitizeTick(makeTick(ts, { pps, udp: 1 }, durationMs), 0);

void test('the window is the sum of the last second of ticks, whatever their length', () => {
  const w = createSlidingWindow({ windowMs: 1000 });
  for (let i = 0; i < 15; i++) w.push(tick(i * 100, i < 10 ? 1000 : 5000));
  // Ticks 5..14: five at 1000 pps (100 packets each) and five at 5000 pps (500 each).
  assert.equal(w.rates().pps, 5 * 100 + 5 * 500);
  assert.equal(w.coverage(), 1);
  const w2 = createSlidingWindow({ windowMs: 1000 });
  for (let i = 0; i < 8; i++) w2.push(tick(i * 250, 4000, 250));
  assert.equal(w2.rates().pps, 4000);
});

void test('a tick straddling the window start contributes the part inside', () => {
  const w = createSlidingWindow({ windowMs: 1000 });
  w.push(tick(0, 10_000, 500)); // 5000 packets over [0, 500)
  w.push(tick(500, 0, 750)); // window is now (250, 1250]
  assert.equal(w.rates().pps, 2500);
  assert.equal(w.detail().packets, 2500);
  w.advance(2000);
  assert.equal(w.rates().pps, 0);
  assert.equal(w.coverage(), 0.25);
});

void test('detail from a time on: only what the ticks hold of it, a straddling tick by its overlap, an older one not at all', () => {
  const w = createSlidingWindow({ windowMs: 1000 });
  for (let i = 0; i < 10; i++) w.push(tick(i * 100, 1000)); // 100 packets a tick over [0, 1000)
  assert.equal(w.detail().packets, 1000);
  assert.equal(w.detail(900).packets, 100);
  assert.equal(w.detail(950).packets, 50);
  assert.equal(w.detail(1000).packets, 0, 'a time after the newest tick: nothing');
  assert.equal(w.detail(-500).packets, 1000, 'before the window: the window');
});

void test('sanitize: junk becomes zeros, totals are never below the decoded sample', () => {
  const t = sanitizeTick({ ts: 'x', durationMs: -5, total: { packets: Number.NaN }, decoded: { packets: 10, bytes: 1000 }, sampleRate: 4, topSources: [{ key: 5 }, { key: '1.2.3.4', packets: -1 }] }, 777);
  assert.equal(t.ts, 777);
  assert.equal(t.durationMs, 100);
  assert.equal(t.total.packets, 40);
  assert.deepEqual(t.topSources, [{ key: '1.2.3.4', packets: 0, bytes: 0 }]);
  assert.equal(t.ttlHistogram.length, 256);
});

void test('a sub-packet decoded count is no detail: scaled shares stay finite (fast-check counterexample)', () => {
  const engine = createDetectionEngine({}, { target: '203.0.113.10' });
  engine.ingest({ total: { packets: 1, bytes: '' }, decoded: { packets: 5e-324, bytes: undefined } } as unknown as TickStats);
  const rates = engine.status().rates;
  assert.ok(Object.values(rates).every((v) => Number.isFinite(v) && v >= 0), JSON.stringify(rates));
});
