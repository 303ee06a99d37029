// GoBGP path encoding: every rule survives the trip through our schema's wire format and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ruleKey } from '../../rule-key.ts';
import { flowAction, flowMatch } from '../../testing/arbitraries.ts';
import { AdapterError } from '../../adapter.ts';
import { pathToSpec, specToPath } from './paths.ts';
import { decode, encode, type AnyMsg } from './schema.ts';

const settings = { nextHopV4: '0.0.0.0', nextHopV6: '::' };

/** Through protobuf bytes as gobgpd would receive and echo them. */
const wire = (p: ReturnType<typeof specToPath>) => decode('Path', encode('Path', { ...p }));

test('flowspec rules round-trip through the GoBGP path encoding (v4 and v6)', () => {
  fc.assert(fc.property(fc.oneof(flowMatch(4), flowMatch(6)), flowAction, (match, action) => {
    const spec = { kind: 'flowspec' as const, match, action };
    const back = pathToSpec(wire(specToPath(spec, settings)));
    assert.ok(back && back.kind === 'flowspec', 'decoded');
    assert.equal(ruleKey(back), ruleKey(spec));
    assert.deepEqual(back.action, action);
  }), { numRuns: 300 });
});

test('a blackhole carries its prefix, next hop and communities', () => {
  const spec = { kind: 'blackhole' as const, prefix: '198.18.7.1/32', next_hop: '192.0.2.1', communities: ['65535:666', '64500:1'] };
  const back = pathToSpec(wire(specToPath(spec, settings)));
  assert.deepEqual(back, spec);
  const v6 = pathToSpec(wire(specToPath({ ...spec, prefix: '2001:db8::1/128', next_hop: null }, settings)));
  assert.deepEqual(v6, { ...spec, prefix: '2001:db8::1/128', next_hop: '::' });
});

test('the NLRI is RFC 8955 operator bytes: ranges as >=/<= pairs, E bit on the last item', () => {
  const path = wire(specToPath({ kind: 'flowspec', match: { destination: '10.0.0.0/8', destination_ports: [{ from: 80, to: 80 }, { from: 1000, to: 2000 }], fragment: ['is-fragment', 'dont-fragment'] }, action: { type: 'discard' } }, settings));
  const nlri = decode('FlowSpecNLRI', Buffer.from((path.nlri as AnyMsg).value));
  const comps = (nlri.rules as AnyMsg[]).map((r) => decode(r.type_url.split('.').pop()!, Buffer.from(r.value)));
  assert.deepEqual(comps[1], { type: 5, items: [{ op: 0x01, value: 80 }, { op: 0x03, value: 1000 }, { op: 0x80 | 0x40 | 0x05, value: 2000 }] });
  assert.deepEqual(comps[2], { type: 12, items: [{ op: 0x01, value: 1 }, { op: 0x81, value: 2 }] });
});

test('bad input is an AdapterError, never a crash', () => {
  assert.throws(() => specToPath({ kind: 'blackhole', prefix: '300.1.1.1/32', next_hop: null, communities: [] }, settings), AdapterError);
  assert.throws(() => specToPath({ kind: 'blackhole', prefix: '10.0.0.1/32', next_hop: '2001:db8::1', communities: [] }, settings), AdapterError);
  assert.throws(() => specToPath({ kind: 'flowspec', match: { destination: '10.0.0.0/8', source: '2001:db8::/32' }, action: { type: 'discard' } }, settings), AdapterError);
  assert.throws(() => specToPath({ kind: 'scrubbing', prefix: '10.0.0.0/8' }, settings), AdapterError);
});

test('decoding garbage paths never throws', () => {
  const anyMsg = fc.record({ type_url: fc.oneof(fc.constantFrom('type.googleapis.com/apipb.FlowSpecNLRI', 'type.googleapis.com/apipb.IPAddressPrefix', 'type.googleapis.com/apipb.ExtendedCommunitiesAttribute'), fc.string()), value: fc.uint8Array({ maxLength: 64 }) });
  fc.assert(fc.property(anyMsg, fc.array(anyMsg, { maxLength: 4 }), (nlri, pattrs) => {
    pathToSpec({ nlri, pattrs });
  }), { numRuns: 500 });
});
