// The second (GoBGP) peer is read through `gobgp -j global rib`: samples below are that CLI's
// output (gobgp 3.10) for routes a BIRD speaker sent it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleKey } from '../rule-key.ts';
import { richFlowRule, tcpFlowRule } from './contract.ts';
import { gobgpCliRibKeys, gobgpCliRibPaths } from './gobgp-cli-rib.ts';

const UNICAST = '{"198.18.7.1/32":[{"nlri":{"prefix":"198.18.7.1/32"},"age":1795372624,"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[65001]}]},{"type":3,"nexthop":"10.200.2.1"},{"type":8,"communities":[4294902426,4294967041]}],"stale":false,"source-id":"10.200.1.1","neighbor-ip":"10.200.2.1"}]}';
const FLOW = '{"a":[{"nlri":{"value":[{"type":1,"value":{"prefix":"198.18.10.5/32"}},{"type":3,"value":[{"op":129,"value":6}]},{"type":5,"value":[{"op":129,"value":80}]},{"type":9,"value":[{"op":129,"value":2}]}]},"attrs":[{"type":1,"value":0},{"type":16,"value":[{"type":128,"subtype":6,"as":0,"rate":125000}]}]}],'
  + '"b":[{"nlri":{"value":[{"type":1,"value":{"prefix":"198.18.9.0/24"}},{"type":2,"value":{"prefix":"203.0.113.0/24"}},{"type":3,"value":[{"op":129,"value":17}]},{"type":5,"value":[{"op":1,"value":53},{"op":129,"value":123}]},{"type":6,"value":[{"op":19,"value":1024},{"op":213,"value":65535}]},{"type":10,"value":[{"op":19,"value":500},{"op":213,"value":1500}]},{"type":12,"value":[{"op":129,"value":2}]}]},"attrs":[{"type":16,"value":[{"type":128,"subtype":6,"as":0,"rate":0}]}]}]}';

test('a unicast route: its ruleKey and its communities as asn:value', () => {
  assert.deepEqual(gobgpCliRibPaths(UNICAST), [{
    key: ruleKey({ kind: 'blackhole', prefix: '198.18.7.1/32', next_hop: null, communities: [] }),
    communities: ['65535:666', '65535:65281'], flowAction: null,
  }]);
});

test('FlowSpec routes: every component in the ruleKey, traffic-rate as discard or a rate limit', () => {
  const paths = gobgpCliRibPaths(FLOW);
  const tcp = tcpFlowRule();
  const rich = richFlowRule();
  assert.deepEqual(paths.map((p) => p.key), [ruleKey(tcp.spec), ruleKey(rich.spec)]);
  assert.deepEqual(paths.map((p) => p.flowAction), [tcp.spec.kind === 'flowspec' && tcp.spec.action, { type: 'discard' }]);
  assert.deepEqual(gobgpCliRibKeys(FLOW), new Set([ruleKey(tcp.spec), ruleKey(rich.spec)]));
});

test('anything unexpected is skipped, nothing throws', () => {
  for (const junk of ['', 'not json', 'null', '[]', '{"x":1}', '{"x":[null,{"nlri":{}},{"nlri":{"prefix":"nope"}}]}', '{"x":[{"nlri":{"value":[{"type":99,"value":[]}]}}]}',
    '{"x":[{"nlri":{"prefix":"10.0.0.0/8"},"attrs":[{"type":8,"communities":[-1,"a",4294967296]},{"type":16,"value":[null,{"type":128,"subtype":6}]}]}]}']) {
    const paths = gobgpCliRibPaths(junk);
    for (const p of paths) { assert.deepEqual(p.communities, []); assert.equal(p.flowAction, null); }
  }
});
