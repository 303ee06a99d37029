// The collector's /metrics on its local port (metrics_listen): datagrams per listener, flow
// records, decode errors by reason, drops of exporters not allowed; promtool accepts it. The
// collector reports to a real server on loopback.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataSet, v4Flow, v9Packet, v9TemplateSet, V4_FLOW_FIELDS } from '@breakwater/flows/testing';
import { startTestServer } from '@breakwater/server/testing';
import { checkMetricsText, metricFamilies, sampleValue, sqliteBackend, waitFor } from '@breakwater/testing';
import { validateCollectorConfig } from './collector-config.ts';
import { createCollector } from './collector.ts';

const BASE = { server_url: 'http://127.0.0.1:9', node_uuid: '0b7c2a4e-1f3d-4c5b-9a8e-7d6f5e4c3b2a', api_key: 'a'.repeat(64), networks: ['203.0.113.0/24'], listen: { netflow: '127.0.0.1:2055' } };

test('metrics_listen: a bad address is refused naming the key', () => {
  assert.throws(() => validateCollectorConfig({ ...BASE, metrics_listen: 'metrics.local:9102' }), /metrics_listen must be ADDR:PORT/);
  assert.equal(validateCollectorConfig(BASE).metrics_listen, undefined);
});

test('the collector serves /metrics on its local port: datagrams, records, decode errors, drops; promtool passes', { timeout: 60_000 }, async () => {
  const t = await startTestServer(sqliteBackend);
  const dir = mkdtempSync(join(tmpdir(), 'bw-collector-metrics-'));
  const node = await t.deploy(t.admin, 'edge-metrics', '192.0.2.1');
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const config = validateCollectorConfig({
    ...BASE, server_url: t.url, node_uuid: node.uuid, api_key: node.key, listen: { netflow: `127.0.0.1:${port}` }, allowed_exporters: ['127.0.0.1/32'],
    spool_dir: join(dir, 'spool'), metrics_listen: '127.0.0.1:0',
  });
  let metricsUrl: string | null = null;
  const c = createCollector(config, { version: 'test', log: (m) => (metricsUrl ??= /^metrics on (\S+)\/metrics$/.exec(m)?.[1] ?? null), heartbeatMs: 60_000 });
  const socks: Socket[] = [];
  const from = (address: string) => new Promise<Socket>((resolve) => {
    const s = createSocket('udp4');
    socks.push(s);
    s.bind(0, address, () => resolve(s));
  });
  await c.start();
  try {
    assert.ok(metricsUrl, 'the collector logs where its metrics are');
    const allowed = await from('127.0.0.1');
    const other = await from('127.0.0.2');
    const dgram = (seq: number) => v9Packet({ sourceId: 3, exportSec: Math.floor(Date.now() / 1000), uptimeMs: seq * 100, sequence: seq, sets: [v9TemplateSet([{ id: 300, fields: V4_FLOW_FIELDS }]), dataSet(300, [v4Flow('198.51.100.66', '203.0.113.10', 40000, 7777, 17, 0, 10, 920), v4Flow('198.51.100.7', '203.0.113.11', 1, 2, 6, 0x10, 5, 500)])] });
    for (let i = 0; i < 4; i++) {
      allowed.send(dgram(i), port, '127.0.0.1');
      other.send(dgram(i), port, '127.0.0.1');
    }
    allowed.send(Buffer.from([0x00, 0x63, 0x00, 0x01]), port, '127.0.0.1'); // version 99: no protocol the decoder reads
    const text = await waitFor('every datagram counted', async () => {
      const body = await (await fetch(`${metricsUrl}/metrics`)).text();
      return sampleValue(body, 'breakwater_collector_datagrams_received_total{listener="netflow"}') === 9 && sampleValue(body, 'breakwater_collector_flow_records_total') === 8 ? body : undefined;
    }, 10_000, 50);
    assert.equal(await checkMetricsText(text), '');
    assert.equal(sampleValue(text, 'breakwater_collector_datagrams_dropped_total{reason="not_allowed"}'), 4);
    assert.equal(sampleValue(text, 'breakwater_collector_datagrams_dropped_total{reason="queue"}'), 0);
    const errors = text.split('\n').filter((l) => l.startsWith('breakwater_collector_decode_errors_total{')).reduce((a, l) => a + Number(l.split(' ')[1]), 0);
    assert.equal(errors, 1, 'the unreadable datagram counted once');
    assert.equal(sampleValue(text, 'breakwater_collector_protected_hosts'), 2);
    assert.equal(sampleValue(text, 'breakwater_collector_exporters'), 1);
    for (const n of ['breakwater_collector_queue_datagrams', 'breakwater_collector_spool_records', 'breakwater_collector_spool_bytes', 'breakwater_collector_spool_dropped_total', 'breakwater_collector_tick_duration_seconds']) {
      assert.ok(metricFamilies(text).has(n), `${n} is exposed`);
    }
    // A second scrape does not count the same errors again.
    const again = await (await fetch(`${metricsUrl}/metrics`)).text();
    assert.equal(again.split('\n').filter((l) => l.startsWith('breakwater_collector_decode_errors_total{')).reduce((a, l) => a + Number(l.split(' ')[1]), 0), 1);
  } finally {
    for (const s of socks) s.close();
    await c.stop();
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
