import { BlockList } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalPrefix, formatPrefix, parsePrefix, type RuleSpec } from '@breakwater/contracts';
import { refusal } from './safety.ts';

const v4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map((o) => o.join('.'));
// Small address space so that random allowlists and targets actually collide often.
const nearV4 = fc.tuple(fc.constantFrom(10, 198), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map((o) => o.join('.'));
const v4Prefix = fc.tuple(nearV4, fc.integer({ min: 8, max: 32 })).map(([a, l]) => `${a}/${l}`);
const v6Prefix = fc.tuple(fc.constantFrom('2001:db8::', '2001:db8:0:1::', 'fd00::'), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 32, max: 128 }))
  .map(([base, g, l]) => `${base}${g.toString(16)}/${l}`);

/** Oracle independent of our arithmetic: node's BlockList, asked about each network's first address. */
function overlapOracle(a: string, b: string): boolean {
  const pa = parsePrefix(a)!, pb = parsePrefix(b)!;
  if (pa.family !== pb.family) return false;
  const type = pa.family === 4 ? 'ipv4' : 'ipv6';
  const [na, la] = formatPrefix(pa).split('/') as [string, string];
  const [nb, lb] = formatPrefix(pb).split('/') as [string, string];
  const A = new BlockList(); A.addSubnet(na, Number(la), type);
  const B = new BlockList(); B.addSubnet(nb, Number(lb), type);
  return A.check(nb, type) || B.check(na, type);
}

describe('prefixes', () => {
  it('canonicalises addresses and prefixes, clearing host bits', () => {
    assert.equal(canonicalPrefix('10.1.2.3'), '10.1.2.3/32');
    assert.equal(canonicalPrefix('10.1.2.3/24'), '10.1.2.0/24');
    assert.equal(canonicalPrefix('2001:DB8:0:0:0:0:0:1'), '2001:db8::1/128');
    assert.equal(canonicalPrefix('2001:db8::1/32'), '2001:db8::/32');
    assert.equal(canonicalPrefix('::ffff:10.0.0.1'), '::ffff:a00:1/128');
    for (const bad of ['', '10.0.0.256', '10.0.0.1/33', '2001:db8::/129', 'host.example', '10.0.0.1/', '10.0.0.1/-1', '::1/1x']) {
      assert.equal(canonicalPrefix(bad), null, bad);
    }
  });

  it('round-trips: formatting a parsed prefix and parsing it again gives the same prefix', () => {
    fc.assert(fc.property(fc.oneof(v4Prefix, v6Prefix, v4), (text) => {
      const once = canonicalPrefix(text)!;
      assert.equal(canonicalPrefix(once), once);
    }), { numRuns: 500 });
  });
});

describe('safety: the allowlist always wins', () => {
  const blackhole = (prefix: string): RuleSpec => ({ kind: 'blackhole', prefix, next_hop: null, communities: ['65535:666'] });
  const flowspec = (destination: string): RuleSpec => ({ kind: 'flowspec', match: { destination, protocols: [17] }, action: { type: 'discard' } });

  it('never lets through a target that shares an address with an allowlist entry (random prefixes and allowlists)', () => {
    const limits = { minBlackholeLenV4: 0, minBlackholeLenV6: 0 };
    fc.assert(fc.property(
      fc.oneof(v4Prefix, v6Prefix), fc.array(fc.oneof(v4Prefix, v6Prefix), { maxLength: 6 }), fc.boolean(),
      (target, allow, useFlowspec) => {
        const spec = useFlowspec ? flowspec(canonicalPrefix(target)!) : blackhole(canonicalPrefix(target)!);
        const why = refusal(spec, allow, limits);
        const covered = allow.some((a) => overlapOracle(a, target));
        assert.equal(why !== null, covered, `${target} vs [${allow.join(', ')}]: ${why}`);
      },
    ), { numRuns: 2000 });
  });

  it('refuses blackholes shorter than the configured length, and names the limit', () => {
    assert.match(refusal(blackhole('10.0.0.0/24'), [])!, /shorter than \/32/);
    assert.equal(refusal(blackhole('10.0.0.0/24'), [], { minBlackholeLenV4: 24, minBlackholeLenV6: 64 }), null);
    assert.match(refusal(blackhole('2001:db8::/48'), [], { minBlackholeLenV4: 24, minBlackholeLenV6: 64 })!, /\/64/);
    // FlowSpec narrows by match, so a wider destination is allowed
    assert.equal(refusal(flowspec('10.0.0.0/24'), []), null);
  });
});
