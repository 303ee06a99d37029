import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { Spool } from './spool.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'bw-spool-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('FIFO across segments; ack advances; a restarted spool resumes at the cursor', () => {
  const dir = fresh();
  const s = new Spool<{ n: number }>({ dir, maxBytes: 1 << 20, segmentBytes: 1024 });
  for (let i = 0; i < 300; i++) s.append([{ n: i }]);
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length >= 3, 'several segments');
  const first = s.peek(100);
  assert.deepEqual(first.map((e) => e.record.n), Array.from({ length: 100 }, (_, i) => i));
  s.ack(first[99]!);
  const again = new Spool<{ n: number }>({ dir, maxBytes: 1 << 20, segmentBytes: 1024 });
  assert.equal(again.size(), 200);
  assert.deepEqual(again.peek(3).map((e) => e.record.n), [100, 101, 102]);
  const rest = again.peek(1000);
  again.ack(rest.at(-1)!);
  assert.equal(again.size(), 0);
  again.append([{ n: 300 }]);
  assert.deepEqual(again.peek(10).map((e) => e.record.n), [300]);
});

test('the bound drops the oldest undelivered records and counts them', () => {
  const dir = fresh();
  const s = new Spool<{ n: number; pad: string }>({ dir, maxBytes: 8192, segmentBytes: 2048 });
  for (let i = 0; i < 400; i++) s.append([{ n: i, pad: 'x'.repeat(40) }]);
  const kept = s.peek(10_000).map((e) => e.record.n);
  assert.ok(kept.length < 400 && kept.length > 50);
  assert.equal(kept.at(-1), 399, 'the newest are kept');
  assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 400 - kept.length + i), 'in order, no gaps');
  assert.equal(s.dropped, 400 - kept.length);
  const bytes = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length * 2048;
  assert.ok(bytes <= 8192 + 2048);
});

test('a torn last line (crash mid-append) is skipped, everything before it is kept', () => {
  const dir = fresh();
  const s = new Spool<{ n: number }>({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
  s.append([{ n: 1 }, { n: 2 }]);
  const seg = readdirSync(dir).find((f) => f.endsWith('.jsonl'))!;
  appendFileSync(join(dir, seg), '{"n": 3, "half');
  const reopened = new Spool<{ n: number }>({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
  assert.deepEqual(reopened.peek(10).map((e) => e.record.n), [1, 2]);
  // what is appended after the crash must not glue onto the torn fragment
  reopened.append([{ n: 4 }]);
  assert.deepEqual(reopened.peek(10).map((e) => e.record.n), [1, 2, 4]);
});

test('bad options name the key', () => {
  assert.throws(() => new Spool({ dir: fresh(), maxBytes: 10, segmentBytes: 1024 }), /spool\.maxBytes/);
  assert.throws(() => new Spool({ dir: fresh(), maxBytes: 1 << 20, segmentBytes: 1 << 20 }), /spool\.segmentBytes/);
});

test('property: with no bound reached, whatever is appended is delivered once, in order, across restarts', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.record({ add: fc.integer({ min: 1, max: 300 }) }), fc.record({ take: fc.integer({ min: 1, max: 400 }) }), fc.constant('restart' as const)), { maxLength: 40 }), (ops) => {
      const dir = fresh();
      const opts = { dir, maxBytes: 1 << 22, segmentBytes: 1024 };
      let s = new Spool<number>(opts);
      let next = 0;
      const delivered: number[] = [];
      for (const op of ops) {
        if (op === 'restart') s = new Spool<number>(opts);
        else if ('add' in op) s.append(Array.from({ length: op.add }, () => next++));
        else {
          const batch = s.peek(op.take);
          if (batch.length) {
            delivered.push(...batch.map((e) => e.record));
            s.ack(batch.at(-1)!);
          }
        }
      }
      const rest = s.peek(1e6).map((e) => e.record);
      assert.deepEqual([...delivered, ...rest], Array.from({ length: next }, (_, i) => i));
    }),
    { numRuns: 60 },
  );
});
