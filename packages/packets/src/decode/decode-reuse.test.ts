// The decoder reuses one DecodedPacket per loop and resets only what it must: decoding a
// sequence into one view must give what a fresh view gives for each packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from './decode-packet.ts';
import { DecodedPacket, IpLayer } from './decoded-packet.ts';
import { seedFrames } from '../testing/fuzz-properties.ts';

/** Fields IpLayer.reset() clears: the ones a later packet must not inherit. */
const RESET_FIELDS = ((): string[] => {
  const l = new IpLayer();
  for (const k of Object.keys(l)) (l as unknown as Record<string, unknown>)[k] = typeof (l as unknown as Record<string, unknown>)[k] === 'boolean' ? true : 7;
  l.reset();
  return Object.keys(l).filter((k) => (l as unknown as Record<string, unknown>)[k] !== 7);
})();

function snapshot(p: DecodedPacket): unknown {
  const layer = (l: IpLayer): unknown => Object.fromEntries(RESET_FIELDS.map((k) => [k, (l as unknown as Record<string, unknown>)[k]]));
  const { status, errorDecoder, errorDepth, linktype, offset, caplen, etherType, vlanCount, vlan0, vlan1, sllPacketType, ifIndex, innerEtherType } = p;
  return { status, errorDecoder, errorDepth, linktype, offset, caplen, etherType, vlanCount, vlan0, vlan1, sllPacketType, ifIndex, innerEtherType, ip: layer(p.ip), inner: layer(p.inner) };
}

void test('a reused DecodedPacket decodes every packet as a fresh one would (tunnels, errors, any order)', () => {
  assert.ok(RESET_FIELDS.includes('version') && RESET_FIELDS.includes('transport') && RESET_FIELDS.length > 20);
  const seeds = seedFrames();
  const frame = fc.constantFrom(...seeds).chain(([lt, f]) =>
    fc.tuple(fc.constant(lt), fc.array(fc.tuple(fc.nat(f.length - 1), fc.nat(255)), { maxLength: 3 }), fc.nat(f.length)).map(([linktype, edits, cut]) => {
      const c = f.slice(0, Math.max(cut, 1));
      for (const [at, v] of edits) if (at < c.length) c[at] = v;
      return [linktype, c] as const;
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(frame, fc.constantFrom(...seeds)), { minLength: 2, maxLength: 20 }), (frames) => {
      const reused = new DecodedPacket();
      for (const [lt, f] of frames) {
        decodePacket(lt, f, 0, f.length, reused);
        const fresh = new DecodedPacket();
        decodePacket(lt, f, 0, f.length, fresh);
        assert.deepEqual(snapshot(reused), snapshot(fresh));
      }
    }),
    { numRuns: 400 },
  );
});
