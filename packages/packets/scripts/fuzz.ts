// Longer fuzzing than the suite's: the same properties for as long as you like.
//   node packages/packets/scripts/fuzz.ts [seconds per property = 60] [seed]
// A failure prints fast-check's counterexample and the seed/path to replay it.
import fc from 'fast-check';
import { checkDecode, checkReader, FUZZ_LINKTYPES, seedCaptures, seedFrames } from '../src/testing/fuzz-properties.ts';

const seconds = Number(process.argv[2] ?? 60);
const seed = process.argv[3] === undefined ? Date.now() | 0 : Number(process.argv[3]);
const params = { interruptAfterTimeLimit: seconds * 1000, numRuns: Number.MAX_SAFE_INTEGER, seed };

const mutate = (base: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 16 }), fc.nat(base.length + 8)).map(([edits, cut]) => {
    const c = new Uint8Array(cut);
    c.set(base.subarray(0, Math.min(cut, base.length)));
    for (const [at, v] of edits) if (at < c.length) c[at] = v;
    return c;
  });

let failed = false;
console.log(`seed ${seed}, ${seconds} s per property`);

function run<T>(name: string, prop: fc.IProperty<T>): void {
  const r = fc.check(prop, params);
  console.log(`${name}: ${r.numRuns} runs, ${r.failed ? 'FAILED' : 'ok'}`);
  if (r.failed) {
    failed = true;
    console.log(fc.defaultReportMessage(r));
  }
}

run(
  'decode random bytes',
  fc.property(fc.constantFrom(...FUZZ_LINKTYPES), fc.uint8Array({ maxLength: 1600 }), fc.nat(64), fc.nat(1700), (lt, b, off, len) => {
    checkDecode(lt, b, off, len);
  }),
);
run(
  'decode mutated frames',
  fc.property(fc.constantFrom(...seedFrames()).chain(([lt, f]) => mutate(f).map((m) => [lt, m] as const)), ([lt, m]) => {
    checkDecode(lt, m, 0, m.length);
  }),
);
run(
  'read random or mutated captures',
  fc.property(
    fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(...seedCaptures()).chain(mutate)),
    fc.array(fc.integer({ min: 1, max: 512 }), { minLength: 1, maxLength: 8 }),
    (b, sizes) => {
      checkReader(b, sizes);
    },
  ),
);
process.exitCode = failed ? 1 : 0;
