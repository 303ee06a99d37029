// ExaBGP command text, and ExaBGP's adj-RIB-out as 4.2.21 printed it here (recorded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ruleKey } from '../../rule-key.ts';
import { AdapterError } from '../../adapter.ts';
import { parseAdjRibOut, parseExaFlow, ruleCommand } from './commands.ts';

const s = { nextHopV4: 'self', nextHopV6: 'self' };

test('blackhole commands', () => {
  assert.equal(ruleCommand('announce', { kind: 'blackhole', prefix: '198.18.7.1/32', next_hop: null, communities: ['65535:666', '65535:65281'] }, s),
    'announce route 198.18.7.1/32 next-hop self community [ 65535:666 65535:65281 ]');
  assert.equal(ruleCommand('withdraw', { kind: 'blackhole', prefix: '2001:db8::1/128', next_hop: '2001:db8::FF', communities: [] }, s),
    'withdraw route 2001:db8::1/128 next-hop 2001:db8::ff');
});

test('a flow route with every component and each action', () => {
  const match = { destination: '198.18.9.0/24', source: '203.0.113.0/24', protocols: [17, 6], destination_ports: [{ from: 53, to: 53 }, { from: 1000, to: 2000 }], source_ports: [{ from: 123, to: 123 }], tcp_flags: ['syn' as const, 'ack' as const], packet_length: [{ from: 500, to: 1500 }], fragment: ['is-fragment' as const] };
  assert.equal(ruleCommand('announce', { kind: 'flowspec', match, action: { type: 'discard' } }, s),
    'announce flow route { match { destination 198.18.9.0/24; source 203.0.113.0/24; protocol [ =17 =6 ]; destination-port [ =53 >=1000&<=2000 ]; source-port [ =123 ]; tcp-flags [ syn&ack ]; packet-length [ >=500&<=1500 ]; fragment [ is-fragment ]; } then { discard; } }');
  const v6 = { destination: '2001:db8:5::/48', protocols: [58] };
  assert.match(ruleCommand('withdraw', { kind: 'flowspec', match: v6, action: { type: 'rate-limit', bytes_per_second: 1000 } }, s), /^withdraw flow route \{ match \{ destination 2001:db8:5::\/48; next-header \[ =58 \]; \} then \{ rate-limit 1000; \} \}$/);
  assert.match(ruleCommand('announce', { kind: 'flowspec', match: v6, action: { type: 'redirect', route_target: '65000:100' } }, s), /then \{ redirect 65000:100; \}/);
  assert.match(ruleCommand('announce', { kind: 'flowspec', match: v6, action: { type: 'mark', dscp: 46 } }, s), /then \{ mark 46; \}/);
});

test('nothing can smuggle a second command or bad value', () => {
  assert.throws(() => ruleCommand('announce', { kind: 'blackhole', prefix: '1.2.3.4/32\nannounce route 0.0.0.0/0', next_hop: null, communities: [] }, s), AdapterError);
  assert.throws(() => ruleCommand('announce', { kind: 'blackhole', prefix: '1.2.3.4/32', next_hop: 'self; x', communities: [] }, s), AdapterError);
  assert.throws(() => ruleCommand('announce', { kind: 'blackhole', prefix: '1.2.3.4/32', next_hop: null, communities: ['1:2 ]'] }, s), AdapterError);
  assert.throws(() => ruleCommand('announce', { kind: 'flowspec', match: { destination: '1.2.3.0/24' }, action: { type: 'redirect', route_target: '1:2; }' } }, s), AdapterError);
  assert.throws(() => ruleCommand('announce', { kind: 'scrubbing', prefix: '1.2.3.0/24' }, s), AdapterError);
});

const RECORDED = [
  'neighbor 10.200.1.2 local-ip 10.200.1.1 local-as 65001 peer-as 65002 router-id 10.200.1.1 family-allowed in-open ipv4 unicast 198.18.7.1/32 next-hop self community [ blackhole no-export ]',
  'neighbor 10.200.1.2 local-ip 10.200.1.1 local-as 65001 peer-as 65002 router-id 10.200.1.1 family-allowed in-open ipv4 flow flow destination-ipv4 198.18.9.0/24 source-ipv4 203.0.113.0/24 protocol =udp destination-port [ =53 =123 ] source-port [ >=1024&<=65535 ] packet-length [ >=500&<=1500 ] fragment [ is-fragment dont-fragment ] extended-community rate-limit:0',
  'neighbor 10.200.1.2 local-ip 10.200.1.1 local-as 65001 peer-as 65002 router-id 10.200.1.1 family-allowed in-open ipv4 flow flow destination-ipv4 198.18.10.5/32 protocol =tcp tcp-flags [ syn&ack ] extended-community rate-limit:125000',
  'neighbor fd00:200:1::2 local-ip fd00:200:1::1 local-as 65001 peer-as 65002 router-id 10.200.1.1 family-allowed in-open ipv6 unicast 2001:db8:7::1/128 next-hop self community blackhole',
  'neighbor fd00:200:1::2 local-ip fd00:200:1::1 local-as 65001 peer-as 65002 router-id 10.200.1.1 family-allowed in-open ipv6 flow flow destination-ipv6 2001:db8:5::/48/0 next-header =udp extended-community rate-limit:0',
];

test('adj-RIB-out lines read back to the keys of the rules that made them', () => {
  const keys = parseAdjRibOut(RECORDED).map(ruleKey);
  const d = { type: 'discard' as const };
  assert.deepEqual(keys, [
    ruleKey({ kind: 'blackhole', prefix: '198.18.7.1/32', next_hop: null, communities: [] }),
    ruleKey({ kind: 'flowspec', action: d, match: { destination: '198.18.9.0/24', source: '203.0.113.0/24', protocols: [17], destination_ports: [{ from: 53, to: 53 }, { from: 123, to: 123 }], source_ports: [{ from: 1024, to: 65535 }], packet_length: [{ from: 500, to: 1500 }], fragment: ['is-fragment', 'dont-fragment'] } }),
    ruleKey({ kind: 'flowspec', action: d, match: { destination: '198.18.10.5/32', protocols: [6], tcp_flags: ['syn', 'ack'] } }),
    ruleKey({ kind: 'blackhole', prefix: '2001:db8:7::1/128', next_hop: null, communities: [] }),
    ruleKey({ kind: 'flowspec', action: d, match: { destination: '2001:db8:5::/48', protocols: [17] } }),
  ]);
});

test('garbage never throws', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom(...RECORDED).chain((l) => fc.nat(l.length).map((n) => l.slice(0, n)))), { maxLength: 10 }), (lines) => {
    parseAdjRibOut(lines);
    for (const l of lines) parseExaFlow(l);
  }), { numRuns: 500 });
  assert.deepEqual(parseAdjRibOut('not an array'), []);
});
