// vtysh command lists for FRR and the reading of its answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AdapterError } from '../../adapter.ts';
import { announceCommands, frrNames, parseLocalRoutes, parseOurNetworks, planBlackhole, withdrawCommands } from './commands.ts';

const n = frrNames('BREAKWATER');

test('NO_EXPORT moves from the origination route-map to the outbound prefix-list', () => {
  const p = planBlackhole('198.18.7.1/32', ['65535:65281', '65535:666', '64500:1'], n);
  assert.deepEqual(p.communities, ['64500:1', '65535:666']);
  assert.equal(p.noExport, true);
  assert.deepEqual(announceCommands(p, 65001, n), [
    'configure terminal', 'ip prefix-list BREAKWATER-NOEXPORT4 permit 198.18.7.1/32',
    `route-map ${p.originMap} permit 10`, 'set community 64500:1 65535:666', 'exit',
    'router bgp 65001', 'address-family ipv4 unicast', `network 198.18.7.1/32 route-map ${p.originMap}`, 'exit-address-family', 'exit',
  ]);
  const v6 = planBlackhole('2001:db8::1/128', ['65535:666'], n);
  assert.deepEqual(withdrawCommands(v6, 65001, n), ['configure terminal', 'router bgp 65001', 'address-family ipv6 unicast', 'no network 2001:db8::1/128', 'exit-address-family', 'exit']);
  assert.equal(planBlackhole('10.0.0.1/32', ['65535:666', '64500:1'], n).originMap, planBlackhole('10.0.0.2/32', ['64500:1', '65535:666'], n).originMap, 'one route-map per community set');
});

test('bad prefixes and communities never reach vtysh', () => {
  assert.throws(() => planBlackhole('198.18.7.1/32\nno router bgp 65001', [], n), AdapterError);
  assert.throws(() => planBlackhole('198.18.7.1/32', ['1:2 additive'], n), AdapterError);
});

test('reads our networks from the running config and local routes from the BGP table', () => {
  const cfg = ' address-family ipv4 unicast\n  network 198.18.7.1/32 route-map BREAKWATER-C-0123456789\n  network 10.0.0.0/8\n  network 10.1.0.0/16 route-map OTHER\n exit-address-family\n';
  assert.deepEqual(parseOurNetworks(cfg, 'BREAKWATER'), ['198.18.7.1/32']);
  // As FRR 8.4.4 printed it here.
  const json = '{"routes": { "198.18.7.1/32": [{"valid":true,"bestpath":true,"peerId":"(unspec)","path":"","origin":"IGP","nexthops":[{"ip":"0.0.0.0"}]}], "203.0.113.0/24": [{"valid":true,"peerId":"10.200.1.2","path":"65002"}] }  } ';
  assert.deepEqual(parseLocalRoutes(json), ['198.18.7.1/32']);
});

test('garbage never throws', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.constant('{"routes":{"a":[null,1,{"peerId":"(unspec)"}]}}')), (text) => {
    parseLocalRoutes(text);
    parseOurNetworks(text, 'BREAKWATER');
  }), { numRuns: 500 });
  assert.deepEqual(parseLocalRoutes(null), []);
});
