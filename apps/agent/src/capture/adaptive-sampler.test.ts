import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AdaptiveSampler } from './adaptive-sampler.ts';

/** Feeds `pps` packets per second for `ms`, timing every probed decode at `costMs`. */
function feed(s: AdaptiveSampler, fromMs: number, ms: number, pps: number, costMs: number): { seen: number; taken: number } {
  let taken = 0;
  const n = Math.round((pps * ms) / 1000);
  for (let i = 0; i < n; i++) {
    if (s.take(fromMs + (i * ms) / n)) {
      taken++;
      if (s.probe()) s.cost(costMs);
    }
  }
  return { seen: n, taken };
}

test('decodes everything while decoding fits the budget', () => {
  const s = new AdaptiveSampler({ tickMs: 100, budget: 0.25 });
  // 10 kpps at 2 µs a decode is 2% of a core
  const r = feed(s, 0, 3000, 10_000, 0.002);
  assert.equal(s.rate, 1);
  assert.equal(r.taken, r.seen);
});

test('above the budget, N follows rate × cost / budget, and comes back down when the flood ends', () => {
  const s = new AdaptiveSampler({ tickMs: 100, budget: 0.25 });
  feed(s, 0, 3000, 400_000, 0.005); // 400 kpps at 5 µs: 2 cores' worth; a quarter core needs N = 8
  assert.equal(s.rate, 8);
  const r = feed(s, 3000, 1000, 400_000, 0.005);
  // random skips of mean 8: within 2% of an eighth
  assert.ok(Math.abs(r.taken - r.seen / 8) <= r.seen / 8 / 50, `${r.taken} decoded of ${r.seen}`);
  feed(s, 4000, 3000, 1000, 0.005);
  assert.equal(s.rate, 1);
});

test('an event loop busy all the time doubles N (once per hold time) even when the cost estimate says it fits', () => {
  const s = new AdaptiveSampler({ tickMs: 100, budget: 0.25, maxLoad: 0.9, loadHoldMs: 250 });
  feed(s, 0, 1000, 20_000, 0.001);
  assert.equal(s.rate, 1);
  s.reportLoad(0.97);
  feed(s, 1000, 100, 20_000, 0.001);
  feed(s, 1100, 10, 20_000, 0.001); // the next tick boundary
  assert.equal(s.rate, 2);
  feed(s, 1110, 100, 20_000, 0.001);
  assert.equal(s.rate, 2, 'not again within 250 ms');
  feed(s, 1210, 300, 20_000, 0.001);
  assert.equal(s.rate, 4);
  s.reportLoad(0.3);
  feed(s, 1510, 300, 20_000, 0.001);
  assert.equal(s.rate, 1, 'caught up: back to what the cost says');
});

test('property: per tick, seen counts every packet and decoded × N accounts for them', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ pps: fc.integer({ min: 0, max: 300_000 }), cost: fc.double({ min: 0.0001, max: 0.05, noNaN: true }), load: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 20 }), (steps) => {
      const s = new AdaptiveSampler({ tickMs: 100, budget: 0.25, maxRate: 1024 });
      let t = 0;
      const fed = new Map<number, { seen: number; taken: number }>();
      for (const st of steps) {
        s.reportLoad(st.load);
        const n = Math.round(st.pps / 10);
        for (let i = 0; i < n; i++) {
          const ts = t + (i * 100) / n;
          const tick = ts - (ts % 100);
          const c = fed.get(tick) ?? { seen: 0, taken: 0 };
          c.seen++;
          if (s.take(ts)) {
            c.taken++;
            if (s.probe()) s.cost(st.cost);
          }
          fed.set(tick, c);
        }
        t += 100;
        assert.ok(s.rate >= 1 && s.rate <= 1024 && Number.isInteger(s.rate));
      }
      for (const [tick, c] of fed) {
        const got = s.countsFor(tick);
        assert.deepEqual(got, c);
        // within one tick N is fixed, so decoded is seen / N rounded either way
        if (c.taken > 0) assert.ok(c.seen / c.taken >= 1);
      }
    }),
    { numRuns: 100 },
  );
});
