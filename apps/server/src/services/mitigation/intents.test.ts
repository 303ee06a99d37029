import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AMPLIFICATION_SERVICES } from '@breakwater/contracts';
import type { IncidentRow, NodeRow } from '@breakwater/db';
import { flowspecFor } from './intents.ts';

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
