import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IocMatcher } from './ioc-matcher.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

void test('overlapping and nested patterns each count once per packet', () => {
  const m = new IocMatcher([
    { id: 'he', ascii: 'he' },
    { id: 'she', ascii: 'she' },
    { id: 'hers', ascii: 'hers' },
    { id: 'bin', hex: 'de:ad be ef' },
  ]);
  const p1 = enc('ushers and she');
  assert.equal(m.scan(p1, 0, p1.length), 3);
  const p2 = Uint8Array.of(0, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef);
  assert.equal(m.scan(p2, 0, p2.length), 1);
  // Only the window is scanned.
  assert.equal(m.scan(p2, 2, p2.length - 1), 0);
  assert.deepEqual(m.counts(), { he: 1, she: 1, hers: 1, bin: 1 });
  m.reset();
  assert.deepEqual(m.counts(), {});
});

void test('pattern definitions are validated with the pattern named', () => {
  assert.throws(() => new IocMatcher([{ id: 'x', hex: 'abc' }]), /IOC pattern x: hex/);
  assert.throws(() => new IocMatcher([{ id: 'x', hex: 'ab', ascii: 'a' }]), /exactly one/);
  assert.throws(() => new IocMatcher([{ id: '', ascii: 'a' }]), /non-empty id/);
  assert.throws(() => new IocMatcher([{ id: 'a', ascii: 'a' }, { id: 'a', ascii: 'b' }]), /unique/);
  assert.throws(() => new IocMatcher([{ id: 'big', ascii: 'x'.repeat(300) }]), /length/);
});

void test('matches agree with a naive substring search', () => {
  const bytesArb = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => a.map((v) => v % 3));
  fc.assert(
    fc.property(fc.array(bytesArb, { minLength: 1, maxLength: 6 }), fc.array(fc.uint8Array({ maxLength: 40 }).map((a) => a.map((v) => v % 3)), { maxLength: 20 }), (pats, payloads) => {
      const m = new IocMatcher(pats.map((p, i) => ({ id: `p${i}`, hex: Buffer.from(p).toString('hex') })));
      const expected: Record<string, number> = {};
      for (const pl of payloads) {
        m.scan(pl, 0, pl.length);
        pats.forEach((p, i) => {
          if (Buffer.from(pl).indexOf(Buffer.from(p)) >= 0) expected[`p${i}`] = (expected[`p${i}`] ?? 0) + 1;
        });
      }
      assert.deepEqual(m.counts(), expected);
    }),
    { numRuns: 300 },
  );
});
