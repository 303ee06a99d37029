// The fuzz test's properties, run longer: node scripts/fuzz.ts [seconds per property, default 30]
import fc from 'fast-check';
import { FLOW_PROTOCOLS } from '@breakwater/contracts';
import { concat } from '@breakwater/packets/testing';
import { VERSION_PREFIX, checkDatagrams, fuzzDecoder, seedDatagrams } from '../src/testing/fuzz-properties.ts';

const seconds = Number(process.argv[2] ?? 30);
const budget = { interruptAfterTimeLimit: seconds * 1000, numRuns: Number.MAX_SAFE_INTEGER };
const mutate = (base: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.array(fc.tuple(fc.nat(Math.max(0, base.length - 1)), fc.nat(255)), { maxLength: 16 }), fc.nat(base.length)).map(([edits, cut]) => {
    const c = base.slice(0, Math.max(cut, 1));
    for (const [at, v] of edits) if (at < c.length) c[at] = v;
    return c;
  });

for (const protocol of FLOW_PROTOCOLS) {
  const seeds = seedDatagrams(protocol);
  const decoder = fuzzDecoder();
  let runs = 0;
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 1500 }).map((t) => concat(VERSION_PREFIX[protocol], t)), fc.constantFrom(...seeds).chain(mutate)), (d) => {
      runs++;
      checkDatagrams(decoder, [d]);
    }),
    budget,
  );
  console.log(`${protocol}: ${runs} datagrams, no violation`);
}
