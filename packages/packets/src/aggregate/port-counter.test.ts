import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PortCounter } from './port-counter.ts';

void test('top ports match a full sort (packets desc, port asc) and reset clears only what was touched', () => {
  const pc = new PortCounter();
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 500 }), fc.integer({ min: 0, max: 12 }), (ports, n) => {
      pc.reset();
      const exact = new Map<number, number>();
      for (const p of ports) {
        pc.add(p, 10);
        exact.set(p, (exact.get(p) ?? 0) + 1);
      }
      const want = [...exact].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n).map(([key, packets]) => ({ key, packets, bytes: packets * 10 }));
      assert.deepEqual(pc.top(n), want);
      assert.equal(pc.distinct, exact.size);
    }),
    { numRuns: 200 },
  );
});
