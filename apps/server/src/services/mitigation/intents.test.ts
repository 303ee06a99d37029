import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AMPLIFICATION_SERVICES } from '@breakwater/contracts';
import type { IncidentRow, NodeRow } from '@breakwater/db';
import { firewallFor, flowspecFor, flowspecRefusal, specFor } from './intents.ts';
import { DEFAULT_POLICY } from './policy.ts';

const node = { ip: '198.51.100.7' } as NodeRow;
const incident = (attack_family: string, attack_subtype: string | null) => ({ attack_family, attack_subtype, top_dst_ports: '[]' }) as unknown as IncidentRow;

test('every reflector service the engine names gets a FlowSpec rule narrowed to its source port', () => {
  for (const s of AMPLIFICATION_SERVICES) {
    const family = s.port === 53 ? 'dns_flood' : 'udp_flood';
    const rule = flowspecFor(incident(family, `${s.name}_amplification`), node);
    assert.deepEqual(rule?.match, { destination: '198.51.100.7/32', protocols: [17], source_ports: [{ from: s.port, to: s.port }] }, s.label);
    assert.deepEqual(rule?.action, { type: 'discard' });
  }
});

test('WS-Discovery amplification (the engine\'s ws_discovery) is narrowed to source port 3702', () => {
  assert.deepEqual(flowspecFor(incident('udp_flood', 'ws_discovery_amplification'), node)?.match.source_ports, [{ from: 3702, to: 3702 }]);
});

test('a multi-vector subtype narrows to its amplification vector; a name that is no service does not', () => {
  assert.deepEqual(flowspecFor(incident('multi_vector', 'syn_flood+ntp_amplification'), node)?.match.source_ports, [{ from: 123, to: 123 }]);
  assert.equal(flowspecFor(incident('udp_flood', 'teapot_amplification'), node)?.match.source_ports, undefined);
  assert.equal(flowspecFor(incident('udp_flood', 'dnsx_amplification'), node)?.match.source_ports, undefined, 'no prefix matching: dnsx is not dns');
});

test('http_flood: never a FlowSpec rule (the refusal says what to use); the firewall intent is a per-source rate limit', () => {
  const http = { ...incident('http_flood', 'uri_hammering'), top_src_ips: JSON.stringify([{ ip: '203.0.113.9', count: 900 }]) } as unknown as IncidentRow;
  assert.equal(flowspecFor(http, node), null);
  assert.equal(specFor('flowspec', http, node, DEFAULT_POLICY), null);
  assert.match(flowspecRefusal(http) ?? '', /layer-7.*per-source rate limit.*WAF/);
  assert.equal(flowspecRefusal(incident('syn_flood', null)), null);
  assert.notEqual(flowspecFor(incident('syn_flood', null), node), null, 'L3/L4 floods keep theirs');
  const fw = firewallFor(http, { ...node, pps_threshold: 10_000 }, () => true);
  assert.deepEqual(fw[0], { type: 'rate_limit', params: { protocol: 'tcp', port: 80, pps: 500, per_source: true }, target: '198.51.100.7' });
  assert.deepEqual(fw[1], { type: 'block_source', params: { address: '203.0.113.9' }, target: '203.0.113.9/32' });
});
