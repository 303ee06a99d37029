// A short fuzz pass in the suite (time-boxed); scripts/fuzz.ts runs the same properties longer.
import { test } from 'node:test';
import fc from 'fast-check';
import { checkDecode, checkReader, FUZZ_LINKTYPES, seedCaptures, seedFrames } from './fuzz-properties.ts';

const BUDGET = { interruptAfterTimeLimit: 1500, numRuns: 1_000_000 };

const mutate = (base: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 6 }), fc.nat(base.length)).map(([edits, cut]) => {
    const c = base.slice(0, cut);
    for (const [at, v] of edits) if (at < c.length) c[at] = v;
    return c;
  });

void test('decoders never throw or point outside the frame on random bytes', () => {
  fc.assert(
    fc.property(fc.constantFrom(...FUZZ_LINKTYPES), fc.uint8Array({ maxLength: 200 }), fc.nat(8), fc.nat(220), (lt, bytes, off, len) => {
      checkDecode(lt, bytes, off, len);
    }),
    BUDGET,
  );
});

void test('decoders never throw on mutated valid frames', () => {
  const seeds = seedFrames();
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds).chain(([lt, f]) => mutate(f).map((m) => [lt, m] as const)),
      ([lt, m]) => {
        checkDecode(lt, m, 0, m.length);
      },
    ),
    BUDGET,
  );
});

void test('the capture reader never throws or loops on random or mutated captures, any chunking', () => {
  const seeds = seedCaptures();
  const input = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...seeds).chain(mutate));
  fc.assert(
    fc.property(input, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }), (bytes, sizes) => {
      checkReader(bytes, sizes);
    }),
    BUDGET,
  );
});
