// A short fuzz pass per protocol in the suite (time-boxed): random bytes behind a valid version,
// mutated and truncated real datagrams, and sequences of them into one decoder (templates,
// held sets and counters carry over). scripts/fuzz.ts runs the same properties longer.
import { test } from 'node:test';
import fc from 'fast-check';
import { FLOW_PROTOCOLS } from '@breakwater/contracts';
import { VERSION_PREFIX, checkDatagrams, fuzzDecoder, seedDatagrams } from './fuzz-properties.ts';
import { concat } from '@breakwater/packets/testing';

const BUDGET = { interruptAfterTimeLimit: 1200, numRuns: 1_000_000 };

const mutate = (base: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.array(fc.tuple(fc.nat(Math.max(0, base.length - 1)), fc.nat(255)), { maxLength: 8 }), fc.nat(base.length)).map(([edits, cut]) => {
    const c = base.slice(0, Math.max(cut, 1));
    for (const [at, v] of edits) if (at < c.length) c[at] = v;
    return c;
  });

for (const protocol of FLOW_PROTOCOLS) {
  const seeds = seedDatagrams(protocol);

  test(`${protocol}: random bytes after the version never throw, hang or grow state`, () => {
    const decoder = fuzzDecoder();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (tail) => {
        checkDatagrams(decoder, [concat(VERSION_PREFIX[protocol], tail)]);
      }),
      BUDGET,
    );
  });

  test(`${protocol}: mutated and truncated real datagrams never throw, hang or grow state`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds).chain(mutate), (m) => {
        checkDatagrams(fuzzDecoder(), [m]);
      }),
      BUDGET,
    );
  });

  test(`${protocol}: sequences into one decoder (templates flapping, sets held, caps) stay bounded`, () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...seeds), fc.constantFrom(...seeds).chain(mutate)), { minLength: 1, maxLength: 30 }), (list) => {
        checkDatagrams(fuzzDecoder(), list);
      }),
      BUDGET,
    );
  });
}
