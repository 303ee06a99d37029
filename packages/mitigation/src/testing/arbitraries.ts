// fast-check generators for rule specs, shared by the adapters' encoder round-trip tests.
import fc from 'fast-check';
import type { FlowspecAction, FlowspecMatch, NumRange } from '@breakwater/contracts';
import { FRAGMENT_NAMES, TCP_FLAG_NAMES } from '@breakwater/contracts';

const v4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 32 }))
  .map(([a, b, c, d, len]) => {
    const n = (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & (len === 0 ? 0 : (~0 << (32 - len)) >>> 0);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${len}`;
  });
const v6 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(32, 48, 64))
  .map(([a, b, len]) => `2001:db8:${a.toString(16)}:${len === 64 ? b.toString(16) : '0'}::/${len}`.replace(/:0::\//, '::/'))
  .map((p) => p.replace(/^2001:db8:([0-9a-f]+)::\/32$/, '2001:db8::/32'));

export const numRange = (max = 65535): fc.Arbitrary<NumRange> =>
  fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([x, y]) => ({ from: Math.min(x, y), to: Math.max(x, y) }));

/** Ranges that do not overlap, as a speaker keeps them apart. */
const ranges = fc.uniqueArray(numRange(), { minLength: 1, maxLength: 4, selector: (r) => `${r.from}-${r.to}` });

export const flowMatch = (family: 4 | 6 = 4): fc.Arbitrary<FlowspecMatch> => {
  const pre = family === 4 ? v4 : v6;
  return fc.record({
    destination: pre,
    source: fc.option(pre, { nil: undefined }),
    protocols: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    destination_ports: fc.option(ranges, { nil: undefined }),
    source_ports: fc.option(ranges, { nil: undefined }),
    tcp_flags: fc.option(fc.uniqueArray(fc.constantFrom(...TCP_FLAG_NAMES), { minLength: 1, maxLength: 8 }), { nil: undefined }),
    packet_length: fc.option(ranges, { nil: undefined }),
    fragment: fc.option(fc.uniqueArray(fc.constantFrom(...FRAGMENT_NAMES), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  }, { requiredKeys: ['destination'] }).map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as FlowspecMatch);
};

export const flowAction: fc.Arbitrary<FlowspecAction> = fc.oneof(
  fc.constant({ type: 'discard' as const }),
  // float32 carries integers exactly up to 2^24.
  fc.integer({ min: 1, max: 1 << 24 }).map((n) => ({ type: 'rate-limit' as const, bytes_per_second: n })),
  fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 65535 })).map(([a, v]) => ({ type: 'redirect' as const, route_target: `${a}:${v}` })),
  fc.integer({ min: 0, max: 63 }).map((dscp) => ({ type: 'mark' as const, dscp })),
);
