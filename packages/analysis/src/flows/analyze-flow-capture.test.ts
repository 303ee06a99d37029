// `breakwater analyze` on a capture of NetFlow v9 datagrams: the flood's destination gets the
// incident the collector would open, a quiet host none; exporters, templates, record and packet
// counts are reported, and --json carries the same.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataSet, decodeFixture, fixturePath, v4Flow, v9Packet, v9TemplateSet, V4_FLOW_FIELDS } from '@breakwater/flows/testing';
import { buildPcap } from '@breakwater/packets';
import { ethernet, ipv4, udp } from '@breakwater/packets/testing';
import { analyzeFlowCapture, formatFlowReport } from './analyze-flow-capture.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'breakwater.mjs');

/** 4 s of NetFlow v9 from 192.0.2.1 to a collector on 2055: a UDP flood toward .10 in seconds 1-2 (20 kpps), 50 pps toward .20 throughout. */
function capture(start: number): Uint8Array {
  const packets = [];
  for (let i = 0; i < 40; i++) {
    const t = start + i * 100;
    const flows = [v4Flow('198.51.100.7', '203.0.113.20', 40000, 443, 6, 0x18, 5, 5 * 200)];
    if (i >= 10 && i < 30) flows.push(v4Flow('198.51.100.66', '203.0.113.10', 50000, 7777, 17, 0, 2000, 2000 * 92));
    const sets = [...(i % 10 === 0 ? [v9TemplateSet([{ id: 300, fields: V4_FLOW_FIELDS }])] : []), dataSet(300, flows)];
    const payload = v9Packet({ sourceId: 1, exportSec: Math.floor(t / 1000), uptimeMs: 1000 + i * 100, sequence: i, sets });
    packets.push({ tsMs: t, data: ethernet(0x0800, ipv4({ src: '192.0.2.1', dst: '192.0.2.200', protocol: 17, payload: udp(33000, 2055, payload) })) });
  }
  return buildPcap({ linktype: 1 }, packets);
}

test('a NetFlow v9 capture: the flooded host gets a udp_flood incident, the quiet one none; counts and templates reported; --json from the CLI', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-flowcap-'));
  try {
    const file = join(dir, 'flows.pcap');
    writeFileSync(file, capture(Date.now() - 60_000));
    const r = await analyzeFlowCapture(file, { networks: ['203.0.113.0/24'], detection: { thresholds: { pps: 5000 }, baseline: { enabled: false } } });
    assert.equal(r.datagrams, 40);
    assert.equal(r.records, 60);
    assert.equal(r.packets.raw, 40 * 5 + 20 * 2000);
    assert.equal(r.packets.scaled, r.packets.raw);
    assert.equal(r.exporters.length, 1);
    assert.equal(r.exporters[0]!.exporter, '192.0.2.1');
    assert.deepEqual(r.exporters[0]!.templates.map((t) => t.templateId), [300]);
    assert.equal(r.incidents.length, 1);
    const i = r.incidents[0]!;
    assert.equal(i.host, '203.0.113.10');
    assert.equal(i.attackFamily, 'udp_flood');
    assert.ok(i.peakPps >= 19_000 && i.peakPps <= 21_000, `peak ${i.peakPps}`);
    assert.equal(i.topDstPorts[0]?.port, 7777);
    assert.ok(i.endedAt !== null, 'resolved after the flood');
    assert.match(formatFlowReport(r), /203\.0\.113\.10 {2}udp_flood/);

    const cli = spawnSync(process.execPath, [BIN, 'analyze', file, '--json', '--target', '203.0.113.0/24'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const j = JSON.parse(cli.stdout);
    assert.equal(j.kind, 'flows');
    assert.equal(j.incidents[0].host, '203.0.113.10');
    assert.equal(j.records, 60);
    const bad = spawnSync(process.execPath, [BIN, 'analyze', file, '--target', '203.0.113.0/33'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--target\[0\]: must be an IPv4\/IPv6 address or prefix/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real exporters\' captures (softflowd NetFlow v9, pmacctd sFlow 1:4): exporters, templates and counts as the decoder reads them, raw and scaled', async () => {
  const v9 = await analyzeFlowCapture(fixturePath('netflow-v9', 'softflowd-v9.pcap'));
  const ref = decodeFixture('netflow-v9', 'softflowd-v9.pcap');
  assert.equal(v9.records, ref.records.length);
  assert.equal(v9.packets.raw, ref.records.reduce((a, r) => a + r.packetsRaw, 0));
  assert.deepEqual(v9.exporters[0]!.templates.map((t) => t.templateId).sort(), ref.status.templateList.map((t) => t.templateId).sort());
  const sf = await analyzeFlowCapture(fixturePath('sflow-v5', 'pmacctd-sfprobe-sampled.pcap'));
  assert.equal(sf.exporters[0]!.protocols[0], 'sflow_v5');
  assert.ok(sf.exporters[0]!.samplingRate > 1, 'the sampling rate in force');
  assert.equal(sf.packets.scaled, sf.packets.raw * sf.exporters[0]!.samplingRate);
});
