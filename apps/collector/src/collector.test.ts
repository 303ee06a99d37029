// The collector in-process against a recording stand-in for the server's agent API: config errors
// name the key; datagrams from exporters outside allowed_exporters are counted and dropped; the
// operator's sampling override scales counts; a flood toward a protected address opens an incident
// reported with x-flow-host, and what was reported while the server was away arrives once it is back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dataSet, v4Flow, v9Packet, v9TemplateSet, V4_FLOW_FIELDS } from '@breakwater/flows/testing';
import { waitFor } from '@breakwater/testing';
import { validateCollectorConfig, type CollectorConfig } from './collector-config.ts';
import { createCollector } from './collector.ts';
import { DatagramQueue } from './datagram-queue.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const BASE = {
  server_url: 'http://127.0.0.1:9', node_uuid: '0b7c2a4e-1f3d-4c5b-9a8e-7d6f5e4c3b2a', api_key: 'a'.repeat(64),
  networks: ['203.0.113.0/24'], listen: { netflow: '127.0.0.1:2055' },
};

test('config: every problem names its key and what is allowed', () => {
  const bad = (patch: Record<string, unknown>, re: RegExp) => assert.throws(() => validateCollectorConfig({ ...BASE, ...patch }), re);
  bad({ networks: ['203.0.113.0/33'] }, /networks\[0\] must be an IPv4\/IPv6 address or prefix/);
  bad({ networks: [] }, /networks/);
  bad({ listen: {} }, /listen must name at least one of netflow, ipfix, sflow/);
  bad({ listen: { netflow: 'localhost:2055' } }, /listen\.netflow/);
  bad({ listen: { netflow: '127.0.0.1:70000' } }, /listen\.netflow must have a port from 1 to 65535/);
  bad({ listen: { netflow: '127.0.0.1:2055', sflow: '127.0.0.1:2055' } }, /listen\.sflow must differ from listen\.netflow/);
  bad({ allowed_exporters: ['10.0.0.1', 'router-1'] }, /allowed_exporters\[1\]/);
  bad({ sampling_overrides: { 'router-1': 100 } }, /sampling_overrides\.router-1 must be keyed by an exporter's IPv4 or IPv6 address/);
  bad({ sampling_overrides: { '10.0.0.1': 0 } }, /sampling_overrides/);
  bad({ queue_datagrams: 3 }, /queue_datagrams/);
  bad({ server_url: 'http://192.0.2.1:8080' }, /server_url must be https:\/\//);
  bad({ netflw: {} }, /unknown key "netflw"; allowed: server_url/);
  // NetFlow and IPFIX may share a port (told apart by version).
  assert.equal(validateCollectorConfig({ ...BASE, listen: { netflow: '127.0.0.1:2055', ipfix: '127.0.0.1:2055' } }).queue_datagrams, 65_536);
});

test('queue: bounded; what does not fit is dropped and counted per exporter', () => {
  const q = new DatagramQueue(2);
  const d = (address: string) => ({ data: Buffer.alloc(1), address, port: 1, listener: 'netflow', receivedAt: 0 });
  assert.equal(q.push(d('10.0.0.1')), true);
  assert.equal(q.push(d('10.0.0.2')), true);
  assert.equal(q.push(d('10.0.0.1')), false);
  assert.equal(q.push(d('10.0.0.3')), false);
  assert.deepEqual([q.dropsOf('10.0.0.1'), q.dropsOf('10.0.0.2'), q.dropsOf('10.0.0.3'), q.dropped], [1, 0, 1, 2]);
  assert.equal(q.shift()?.address, '10.0.0.1');
  assert.equal(q.push(d('10.0.0.4')), true);
  assert.deepEqual([q.shift()?.address, q.shift()?.address, q.shift()], ['10.0.0.2', '10.0.0.4', undefined]);
});

interface Call { path: string; host: string | null; body: any }

function fakeServer() {
  const s = { up: false, calls: [] as Call[], next: 1 };
  const fetchFn = (async (input: string, init?: RequestInit) => {
    const path = new URL(input).pathname.replace('/api/v1/agent', '');
    if (!s.up) return new Response('{"ok":false}', { status: 503 });
    const headers = new Headers(init?.headers);
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    s.calls.push({ path, host: headers.get('x-flow-host'), body: body as Call['body'] });
    const reply = path === '/incidents' ? { ok: true, uuid: `00000000-0000-4000-8000-00000000000${s.next++}` } : { ok: true, data: {} };
    return new Response(JSON.stringify(reply), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { s, fetchFn };
}

test('allowed exporters, sampling override, per-host incident through the spool while the server is away', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-collector-'));
  dirs.push(dir);
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const config: CollectorConfig = validateCollectorConfig({
    ...BASE, listen: { netflow: `127.0.0.1:${port}` }, allowed_exporters: ['127.0.0.1/32'], sampling_overrides: { '127.0.0.1': 100 },
    spool_dir: join(dir, 'spool'), status_interval_seconds: 1, detection: { thresholds: { pps: 50_000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 500 } },
  });
  const { s, fetchFn } = fakeServer();
  const c = createCollector(config, { version: 'test', fetch: fetchFn, log: () => undefined, heartbeatMs: 60_000 });
  await c.start();
  const from = (address: string) => new Promise<ReturnType<typeof createSocket>>((resolve) => {
    const sock = createSocket('udp4');
    sock.bind(0, address, () => resolve(sock));
  });
  const allowed = await from('127.0.0.1');
  const other = await from('127.0.0.2');
  try {
    // 1,000 exported packets a datagram, ×100 by the override: 100,000 packets toward .10 each time.
    const dgram = (seq: number) => v9Packet({ sourceId: 3, exportSec: Math.floor(Date.now() / 1000), uptimeMs: seq * 100, sequence: seq, sets: [v9TemplateSet([{ id: 300, fields: V4_FLOW_FIELDS }]), dataSet(300, [v4Flow('198.51.100.66', '203.0.113.10', 40000, 7777, 17, 0, 1000, 92_000), v4Flow('198.51.100.7', '192.0.2.50', 1, 2, 6, 0x10, 5, 500)])] });
    for (let i = 0; i < 5; i++) {
      allowed.send(dgram(i), port, '127.0.0.1');
      other.send(dgram(i), port, '127.0.0.1');
    }
    await waitFor('decoded', () => c.decoder.exporter('127.0.0.1')?.datagrams === 5, 5000);
    assert.equal(c.decoder.exporter('127.0.0.2'), null, 'a refused exporter never reaches the decoder');
    assert.equal(c.decoder.exporter('127.0.0.1')!.samplingRate, 100);
    assert.deepEqual(c.detector.hosts(), ['203.0.113.10'], 'only protected destinations get an engine');
    // The server is away: nothing delivered yet, kept in the spool; then it comes back.
    await waitFor('incident opened locally', () => c.detector.engine('203.0.113.10')?.activeIncident(), 5000);
    assert.equal(s.calls.length, 0);
    s.up = true;
    const open = await waitFor('incident delivered with the host named', () => s.calls.find((x) => x.path === '/incidents'), 10_000, 50);
    assert.equal(open.host, '203.0.113.10');
    assert.equal(open.body.attack_family, 'udp_flood');
    const metrics = await waitFor('metrics for the host', () => s.calls.find((x) => x.path === '/flow-metrics'), 10_000, 50);
    assert.equal(metrics.body.hosts[0].host, '203.0.113.10');
    assert.ok(metrics.body.hosts[0].samples.length >= 1);
    const status = await waitFor('flow status', () => s.calls.find((x) => x.path === '/flow-status' && x.body.exporters.length === 2), 10_000, 50);
    const byAddr = Object.fromEntries(status.body.exporters.map((e: { exporter: string }) => [e.exporter, e]));
    assert.equal(byAddr['127.0.0.2'].allowed, false);
    assert.equal(byAddr['127.0.0.2'].drops.not_allowed, 5);
    assert.equal(byAddr['127.0.0.1'].sampling_rate, 100);
    assert.equal(byAddr['127.0.0.1'].sampling_source, 'override');
    assert.equal(byAddr['127.0.0.1'].drops.queue, 0);
    assert.ok(byAddr['127.0.0.1'].drops.socket >= 0, 'socket drops read from /proc/net/udp');
    const talkers = status.body.talkers.find((x: { host: string }) => x.host === '203.0.113.10');
    assert.deepEqual(talkers.sources[0], { ip: '198.51.100.66', packets: 500_000, bytes: 46_000_000 });
    const resolve = await waitFor('resolve delivered', () => s.calls.find((x) => x.path.endsWith('/resolve')), 10_000, 50);
    assert.equal(resolve.host, '203.0.113.10');
  } finally {
    allowed.close();
    other.close();
    await c.stop();
  }
});

test('kernel socket drops: a burst while the collector cannot read overflows its socket buffer; the drops (from /proc/net/udp) show on the exporter', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-collector-drops-'));
  dirs.push(dir);
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const config = validateCollectorConfig({ ...BASE, listen: { netflow: `127.0.0.1:${port}` }, spool_dir: join(dir, 'spool'), status_interval_seconds: 1, socket_buffer_bytes: 65_536 });
  const { s, fetchFn } = fakeServer();
  s.up = true;
  const c = createCollector(config, { version: 'test', fetch: fetchFn, log: () => undefined, heartbeatMs: 60_000 });
  await c.start();
  try {
    const payload = Buffer.from(v9Packet({ sourceId: 1, exportSec: 1, uptimeMs: 1, sets: [v9TemplateSet([{ id: 300, fields: V4_FLOW_FIELDS }]), dataSet(300, Array.from({ length: 40 }, () => v4Flow('198.51.100.1', '203.0.113.1', 1, 2, 17, 0, 1, 100)))] })).toString('base64');
    // spawnSync holds this process (and the collector's event loop) while the burst arrives.
    const js = `const s = require('node:dgram').createSocket('udp4'); const b = Buffer.from('${payload}', 'base64'); let n = 0; const go = () => { for (let i = 0; i < 100; i++) s.send(b, ${port}, '127.0.0.1'); if ((n += 100) < 3000) setImmediate(go); else setTimeout(() => s.close(), 50); }; go();`;
    const r = spawnSync(process.execPath, ['-e', js], { timeout: 20_000 });
    assert.equal(r.status, 0, String(r.stderr));
    const status = await waitFor('socket drops reported', () => s.calls.find((x) => x.path === '/flow-status' && x.body.exporters.some((e: { drops: { socket: number } }) => e.drops.socket > 0)), 10_000, 50);
    const e = status.body.exporters.find((x: { exporter: string }) => x.exporter === '127.0.0.1');
    assert.ok(e.drops.socket > 0 && e.datagrams + e.drops.socket + e.drops.queue <= 3000, JSON.stringify(e.drops));
  } finally {
    await c.stop();
  }
});
