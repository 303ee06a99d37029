// The agent's /metrics on its local port (metrics_listen): off unless configured; with it, a
// replayed flood shows as ticks, captured packets and an opened incident, and promtool accepts
// the exposition. The agent reports to a real server on loopback.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ethernet, ipv4, udp } from '@breakwater/packets/testing';
import { startTestServer } from '@breakwater/server/testing';
import { checkMetricsText, metricFamilies, sampleValue, sqliteBackend, waitFor } from '@breakwater/testing';
import { createAgent } from './agent.ts';
import { validateAgentConfig } from './agent-config.ts';
import { AgentMetrics } from './agent-metrics.ts';
import type { CounterReading } from './kernel-counters.ts';
import { RecordingFirewall } from './testing/recording-firewall.ts';
import { ReplaySource } from './testing/replay-source.ts';

test('metrics_listen: a bad address is refused naming the key; absent, no port is opened', () => {
  const base = { server_url: 'http://127.0.0.1:9', node_uuid: '0b5c8f0e-6a47-4a5e-9b1e-4c2d7e8f9a10', api_key: 'a'.repeat(64) };
  assert.throws(() => validateAgentConfig({ ...base, metrics_listen: 'localhost:9101' }), /metrics_listen .*ADDR:PORT/);
  assert.throws(() => validateAgentConfig({ ...base, metrics_listen: '127.0.0.1:70000' }), /metrics_listen must be ADDR:PORT/);
  assert.equal(validateAgentConfig(base).metrics_listen, undefined);
  const off = new AgentMetrics({ listen: undefined, version: 't' }, {
    capture: async () => null, spool: () => ({ records: 0, bytes: 0, dropped: 0 }), sampleRate: () => 1, streamConnected: () => false, lastContact: () => null, now: Date.now,
  });
  assert.equal(off.url, null);
});

test('the agent serves /metrics on its local port: ticks, capture, spool, an opened incident; promtool passes', { timeout: 60_000 }, async () => {
  const t = await startTestServer(sqliteBackend);
  const dir = mkdtempSync(join(tmpdir(), 'bw-agent-metrics-'));
  const node = await t.deploy(t.admin, 'metrics-agent', '198.18.0.5');
  const config = validateAgentConfig({
    server_url: t.url, node_uuid: node.uuid, api_key: node.key, interface: 'replay0', ip: '198.18.0.5',
    spool_dir: join(dir, 'spool'), pcap_dir: join(dir, 'pcap'), metrics_listen: '127.0.0.1:0',
    detection: { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1000 } },
  });
  const sources: ReplaySource[] = [];
  const zero: CounterReading = { rxPackets: 0, rxBytes: 0, rxDropped: 0, ipIn: 0, tcpIn: 0, udpIn: 0, icmpIn: 0 };
  let metricsUrl: string | null = null;
  const agent = createAgent(config, {
    version: '0.0.0-test',
    capture: (o, h) => {
      const s = new ReplaySource(o, h);
      sources.push(s);
      return s;
    },
    firewall: (o) => new RecordingFirewall(o),
    counters: () => ({ read: () => zero }),
    log: (m) => {
      metricsUrl ??= /^metrics on (\S+)\/metrics$/.exec(m)?.[1] ?? null;
    },
  });
  try {
    await agent.start();
    assert.ok(metricsUrl, 'the agent logs where its metrics are');
    const frames = Array.from({ length: 600 }, (_, i) => ethernet(0x0800, ipv4({ src: `203.0.113.${1 + (i % 200)}`, dst: '198.18.0.5', protocol: 17, payload: udp(40_000 + i, 7777, new Uint8Array(64)) })));
    const flood = setInterval(() => sources[0]!.play(frames), 100);
    let text = '';
    try {
      text = await waitFor('an opened incident in the agent metrics', async () => {
        const body = await (await fetch(`${metricsUrl}/metrics`)).text();
        return (sampleValue(body, 'breakwater_agent_incidents_opened_total') ?? 0) >= 1 ? body : undefined;
      }, 15_000, 100);
    } finally {
      clearInterval(flood);
    }
    assert.equal(await checkMetricsText(text), '');
    assert.ok((sampleValue(text, 'breakwater_agent_tick_duration_seconds_count') ?? 0) >= 5, 'ticks timed');
    assert.ok((sampleValue(text, 'breakwater_agent_capture_packets_total') ?? 0) >= 600, 'captured packets counted');
    assert.equal(sampleValue(text, 'breakwater_agent_capture_kernel_drops_total'), 0);
    assert.equal(sampleValue(text, 'breakwater_agent_capture_up'), 1);
    assert.equal(sampleValue(text, 'breakwater_agent_decode_sample_rate'), 1);
    for (const n of ['breakwater_agent_spool_records', 'breakwater_agent_spool_bytes', 'breakwater_agent_spool_dropped_total', 'breakwater_agent_command_stream_connected', 'breakwater_agent_server_contact_age_seconds', 'process_resident_memory_bytes']) {
      assert.ok(metricFamilies(text).has(n), `${n} is exposed`);
    }
    // Only GET /metrics is served there.
    assert.equal((await fetch(`${metricsUrl}/other`)).status, 404);
    assert.equal((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await agent.stop();
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.rejects(fetch(`${metricsUrl}/metrics`), 'the port is closed with the agent');
});
