// The whole agent on its seams' fakes: packets replayed into it, a recording firewall, counters
// that count nothing (totals then come from what was captured), the server answered by a
// recording fetch. No root, tcpdump, nftables or namespace: a flood becomes an incident
// reported to the server, and a command from the config poll reaches the firewall.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ethernet, ipv4, udp } from '@breakwater/packets/testing';
import { waitFor } from '@breakwater/testing';
import { createAgent } from './agent.ts';
import { validateAgentConfig } from './agent-config.ts';
import type { CounterReading } from './kernel-counters.ts';
import { testSigner } from './testing/command-signing.ts';
import { RecordingFirewall } from './testing/recording-firewall.ts';
import { ReplaySource } from './testing/replay-source.ts';

interface Call {
  method: string;
  path: string;
  body: any;
}

const keep = <T>(list: T[], made: T): T => {
  list.push(made);
  return made;
};

test('the agent on a replayed flood and a recording firewall: the incident reaches the server, a polled command the firewall', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-agent-'));
  const calls: Call[] = [];
  let polls = 0;
  const NODE = '0b5c8f0e-6a47-4a5e-9b1e-4c2d7e8f9a10';
  // Signed as the server signs; the key is the one pinned at enrolment (command_public_key in the config).
  const signer = testSigner(NODE);
  const block = signer.pending(signer.body({ command_id: 5, type: 'block_source', params: { address: '192.0.2.9', ttl: 60 } }));
  const fakeFetch = (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(input);
    const path = url.pathname.replace('/api/v1/agent', '');
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    calls.push({ method: init?.method ?? 'GET', path, body });
    const json = (v: unknown) => new Response(JSON.stringify(v), { status: 200, headers: { 'content-type': 'application/json' } });
    if (path === '/config') {
      polls++;
      return json({ pending_commands: polls === 1 ? [{ ...block, id: 'cmd_5' }] : [] });
    }
    if (path === '/incidents') return json({ ok: true, uuid: '6f1c3a52-58a4-4c5e-8d0c-0e1d2c3b4a59', created: true });
    return json({ ok: true });
  }) as typeof fetch;

  const config = validateAgentConfig({
    server_url: 'http://127.0.0.1:9', node_uuid: NODE, api_key: 'a'.repeat(64), command_public_key: signer.publicKey,
    interface: 'replay0', ip: '198.18.0.5', spool_dir: join(dir, 'spool'), pcap_dir: join(dir, 'pcap'),
    detection: { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1000 } },
  });
  const sources: ReplaySource[] = [];
  const firewall: RecordingFirewall[] = [];
  const zero: CounterReading = { rxPackets: 0, rxBytes: 0, rxDropped: 0, ipIn: 0, tcpIn: 0, udpIn: 0, icmpIn: 0 };
  const logs: string[] = [];
  const agent = createAgent(config, {
    version: '0.0.0-test',
    capture: (o, h) => keep(sources, new ReplaySource(o, h)),
    firewall: (o) => keep(firewall, new RecordingFirewall(o)),
    counters: () => ({ read: () => zero }),
    fetch: fakeFetch,
    log: (m) => logs.push(m),
  });
  assert.deepEqual([sources.length, firewall.length], [0, 0], 'create() made nothing yet');
  try {
    await agent.start();
    const source = sources[0]!;
    assert.ok(source.running, 'the capture source started');
    assert.deepEqual(source.options.exclude, [{ host: '127.0.0.1', port: 9 }], "the agent's own connection is left out of capture");
    const fw = firewall[0]!;
    assert.deepEqual([fw.started, fw.management], [true, [{ address: '127.0.0.1', port: 9 }]], 'the firewall started with the server connection exempt');

    await waitFor('the polled command applied and acknowledged', () => calls.find((c) => c.path === '/commands/ack' && c.body.command_id === 5), 10_000, 20);
    assert.deepEqual(calls.find((c) => c.path === '/commands/ack')!.body, { command_id: 5, status: 'applied', error: null });
    assert.deepEqual(fw.rules.map((r) => [r.type, 'address' in r ? r.address : null]), [['block_source', '192.0.2.9']]);

    // 600 UDP packets every 100 ms: 6,000 pps against a 3,000 pps threshold.
    const frames = Array.from({ length: 600 }, (_, i) => ethernet(0x0800, ipv4({ src: `203.0.113.${1 + (i % 200)}`, dst: '198.18.0.5', protocol: 17, payload: udp(40_000 + i, 7777, new Uint8Array(64)) })));
    const flood = setInterval(() => source.play(frames), 100);
    let opened: Call | undefined;
    try {
      opened = await waitFor('the incident opened at the server', () => calls.find((c) => c.path === '/incidents'), 10_000, 20);
    } finally {
      clearInterval(flood);
    }
    assert.equal(opened.method, 'POST');
    assert.equal(opened.body.attack_family, 'udp_flood');
    assert.equal(opened.body.top_dst_ports[0].port, 7777);
    assert.ok(opened.body.peak_pps >= 3000, `peak ${opened.body.peak_pps}`);
    assert.ok(logs.some((l) => /^incident opened: udp_flood on 198\.18\.0\.5/.test(l)), logs.join('\n'));
    await waitFor('the incident resolved at the server after the flood', () => calls.find((c) => c.path.endsWith('/resolve')), 15_000, 50);
    assert.ok(calls.some((c) => c.path === '/heartbeat' && c.body.capture_sample_rate === 1), 'heartbeat sent');
    assert.ok(calls.some((c) => c.path === '/metrics'), 'metrics sent');
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(sources[0]!.running, false, 'the capture source stopped');
  assert.deepEqual(firewall[0]!.calls.slice(-2), ['remove bw-cmd-5', 'stop'], 'rules taken back, then the firewall stopped');
});

test('incidents never stay open at the server for ever: one a crashed run left is resolved at start, one open at stop is resolved at stop', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-agent-'));
  const spoolDir = join(dir, 'spool');
  const calls: Call[] = [];
  const NODE = '0b5c8f0e-6a47-4a5e-9b1e-4c2d7e8f9a10';
  const signer = testSigner(NODE);
  const fakeFetch = (async (input: string | URL, init?: RequestInit) => {
    const path = new URL(input).pathname.replace('/api/v1/agent', '');
    calls.push({ method: init?.method ?? 'GET', path, body: typeof init?.body === 'string' ? JSON.parse(init.body) : null });
    const json = (v: unknown) => new Response(JSON.stringify(v), { status: 200, headers: { 'content-type': 'application/json' } });
    if (path === '/config') return json({ pending_commands: [] });
    if (path === '/incidents') return json({ ok: true, uuid: '7a1c3a52-58a4-4c5e-8d0c-0e1d2c3b4a60', created: true });
    return json({ ok: true });
  }) as typeof fetch;
  // What a run killed mid-incident leaves: the server's id for its local one, and its last report.
  mkdirSync(spoolDir, { recursive: true });
  writeFileSync(join(spoolDir, 'incident-ids.json'), JSON.stringify([['crashed-1', '5e1c3a52-58a4-4c5e-8d0c-0e1d2c3b4a11']]));
  writeFileSync(join(spoolDir, 'open-incidents.json'), JSON.stringify([['crashed-1', { o: { kind: 'update', local: 'crashed-1', body: { attack_family: 'syn_flood', started_at: 1_700_000_000_000, status: 'active' } }, at: 1_700_000_030_000 }]]));
  const config = validateAgentConfig({
    server_url: 'http://127.0.0.1:9', node_uuid: NODE, api_key: 'a'.repeat(64), command_public_key: signer.publicKey,
    interface: 'replay0', ip: '198.18.0.5', spool_dir: spoolDir, pcap_dir: join(dir, 'pcap'),
    detection: { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 60_000 } },
  });
  const sources: ReplaySource[] = [];
  const zero: CounterReading = { rxPackets: 0, rxBytes: 0, rxDropped: 0, ipIn: 0, tcpIn: 0, udpIn: 0, icmpIn: 0 };
  const agent = createAgent(config, {
    version: '0.0.0-test', capture: (o, h) => keep(sources, new ReplaySource(o, h)), firewall: (o) => new RecordingFirewall(o),
    counters: () => ({ read: () => zero }), fetch: fakeFetch, log: () => {},
  });
  let flood: NodeJS.Timeout | undefined;
  try {
    await agent.start();
    const crashed = await waitFor('the crashed run\'s incident resolved', () => calls.find((c) => c.path === '/incidents/5e1c3a52-58a4-4c5e-8d0c-0e1d2c3b4a11/resolve'), 10_000, 20);
    assert.equal(crashed.body.status, 'resolved');
    assert.equal(crashed.body.resolved_at, 1_700_000_030_000, 'ended at its last report: when it crashed is not known');
    assert.equal(crashed.body.duration_seconds, 30);

    const frames = Array.from({ length: 600 }, (_, i) => ethernet(0x0800, ipv4({ src: `203.0.113.${1 + (i % 200)}`, dst: '198.18.0.5', protocol: 17, payload: udp(40_000 + i, 7777, new Uint8Array(64)) })));
    flood = setInterval(() => sources[0]!.play(frames), 100);
    await waitFor('the incident opened at the server', () => calls.find((c) => c.path === '/incidents'), 10_000, 20);
    // Stopped while the flood goes on (a cooldown of a minute: the engine would not resolve it yet).
    const stoppedAt = Date.now();
    await agent.stop();
    const resolved = calls.find((c) => c.path === '/incidents/7a1c3a52-58a4-4c5e-8d0c-0e1d2c3b4a60/resolve');
    assert.ok(resolved, 'resolved before stop() returned');
    assert.equal(resolved.body.attack_family, 'udp_flood');
    assert.ok(resolved.body.resolved_at >= stoppedAt, 'ended when the agent stopped');
  } finally {
    clearInterval(flood);
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
