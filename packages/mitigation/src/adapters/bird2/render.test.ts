// The managed BIRD file: every FlowSpec component and action in BIRD's syntax, accepted by
// BIRD's own parser (`bird -p`), and read back to the same rule by the show-route parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { RuleSpec } from '@breakwater/contracts';
import { ruleKey } from '../../rule-key.ts';
import { flowAction, flowMatch } from '../../testing/arbitraries.ts';
import { AdapterError } from '../../adapter.ts';
import { actionCommunity, flowLiteral, readState, renderConfig } from './render.ts';
import { parseFlow, parseFlowAction } from './show-route.ts';

const settings = { protocolPrefix: 'breakwater', tables: { ipv4: 'master4', ipv6: 'master6', flow4: 'flowtab4', flow6: 'flowtab6' } };

const every: RuleSpec[] = [
  { kind: 'blackhole', prefix: '198.18.7.1/32', next_hop: null, communities: ['65535:666', '65535:65281'] },
  { kind: 'blackhole', prefix: '2001:db8::1/128', next_hop: '2001:db8::ff', communities: ['65535:666'] },
  { kind: 'flowspec', match: { destination: '198.18.9.0/24', source: '203.0.113.0/24', protocols: [6, 17], destination_ports: [{ from: 53, to: 53 }, { from: 1000, to: 2000 }], source_ports: [{ from: 123, to: 123 }], tcp_flags: ['syn', 'ack'], packet_length: [{ from: 500, to: 1500 }], fragment: ['is-fragment', 'dont-fragment'] }, action: { type: 'discard' } },
  { kind: 'flowspec', match: { destination: '198.18.9.1/32' }, action: { type: 'rate-limit', bytes_per_second: 125000 } },
  { kind: 'flowspec', match: { destination: '198.18.9.2/32' }, action: { type: 'redirect', route_target: '65000:100' } },
  { kind: 'flowspec', match: { destination: '198.18.9.3/32' }, action: { type: 'redirect', route_target: '4200000000:7' } },
  { kind: 'flowspec', match: { destination: '198.18.9.4/32' }, action: { type: 'mark', dscp: 46 } },
  { kind: 'flowspec', match: { destination: '2001:db8:5::/48', source: '2001:db8:6::/48', protocols: [58], packet_length: [{ from: 0, to: 100 }] }, action: { type: 'discard' } },
];

test('BIRD itself accepts the rendered file with every component and action (bird -p)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-bird-render-'));
  try {
    const include = join(dir, 'breakwater.conf');
    writeFileSync(include, renderConfig(every, settings));
    writeFileSync(join(dir, 'bird.conf'), `router id 192.0.2.1;\nipv4 table master4; ipv6 table master6; flow4 table flowtab4; flow6 table flowtab6;\ninclude "${include}";\n`);
    const r = spawnSync('bird', ['-p', '-c', join(dir, 'bird.conf')], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the file records its rules so a restarted adapter knows them', () => {
  assert.deepEqual(readState(renderConfig(every, settings)), every);
  assert.deepEqual(readState('protocol static x { ipv4; }\n'), []);
  assert.deepEqual(readState('# breakwater-state: !!!notbase64json'), []);
});

test('flow literals read back to the same rule (property)', () => {
  fc.assert(fc.property(fc.oneof(flowMatch(4), flowMatch(6)), (m) => {
    const back = parseFlow(flowLiteral(m).text);
    assert.ok(back, flowLiteral(m).text);
    assert.equal(ruleKey({ kind: 'flowspec', match: back, action: { type: 'discard' } }), ruleKey({ kind: 'flowspec', match: m, action: { type: 'discard' } }));
  }), { numRuns: 300 });
});

test('actions read back from their extended community (property)', () => {
  fc.assert(fc.property(flowAction, (a) => {
    const text = actionCommunity(a).replace(/^\(|\)$/g, '');
    assert.deepEqual(parseFlowAction([text]), a);
  }), { numRuns: 300 });
});

test('bad rules are AdapterErrors before anything is written', () => {
  assert.throws(() => renderConfig([{ kind: 'blackhole', prefix: '10.0.0.1/33', next_hop: null, communities: [] }], settings), AdapterError);
  assert.throws(() => renderConfig([{ kind: 'blackhole', prefix: '10.0.0.1/32', next_hop: null, communities: ['1:2; }; protocol x'] }], settings), AdapterError);
  assert.throws(() => renderConfig([{ kind: 'flowspec', match: { destination: '10.0.0.0/8', source: '2001:db8::/32' }, action: { type: 'discard' } }], settings), AdapterError);
  assert.throws(() => renderConfig([{ kind: 'scrubbing', prefix: '10.0.0.0/8' }], settings), AdapterError);
  assert.throws(() => renderConfig([{ kind: 'flowspec', match: { destination: '10.0.0.0/8' }, action: { type: 'redirect', route_target: 'x' } }], settings), AdapterError);
});
