// PCAP API: list, parsed packets, forensic analysis (cached), download.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';
import { ethIpv4, pcapOf, tcp, udp } from './pcap-frames.ts';

async function upload(t: TestServer, node: { uuid: string; key: string }, incident: string, data: Buffer, filename = 'attack.pcap') {
  const f = new FormData();
  f.append('pcap', new Blob([new Uint8Array(data)]), filename);
  const res = await fetch(`${t.url}/api/v1/agent/incidents/${incident}/pcap`, { method: 'POST', headers: { authorization: `Bearer ${node.key}`, 'x-node-uuid': node.uuid }, body: f });
  const body = (await res.json()) as any;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.data as { uuid: string; id: number };
}

for (const backend of BACKENDS) {
  describe(`PCAP API on ${backend.name}`, () => {
    let t: TestServer;
    let node: { uuid: string; key: string };
    let incident: string;
    let capture: Buffer;
    let stored: { uuid: string; id: number };

    before(async () => {
      t = await startTestServer(backend);
      node = await t.deploy(t.admin, 'victim');
      incident = (await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 5 })).body.uuid;
      const frames = [
        ethIpv4({ src: '198.51.100.7', dst: '203.0.113.10', proto: 17, ttl: 51, l4: udp(123, 4444, 40) }),
        ethIpv4({ src: '192.0.2.99', dst: '203.0.113.10', proto: 6, ttl: 250, l4: tcp(40000, 443, 0x02) }),
        ethIpv4({ src: '192.0.2.99', dst: '203.0.113.10', proto: 6, l4: tcp(40000, 443, 0x12, 10) }),
        ethIpv4({ src: '198.51.100.8', dst: '203.0.113.10', proto: 17, l4: Buffer.alloc(64), fragOffset: 1480 }),
        ...Array.from({ length: 46 }, (_, i) => ethIpv4({ src: `198.51.100.${10 + i}`, dst: '203.0.113.10', proto: 17, l4: udp(53, 5000 + i, 100) })),
      ];
      capture = pcapOf(frames);
      stored = await upload(t, node, incident, capture);
    });
    after(async () => t.stop());

    test('list: newest first, with node, incident, size and digest; pagination bounds', async () => {
      const second = await upload(t, node, incident, pcapOf([ethIpv4({ src: '192.0.2.1', dst: '203.0.113.10', proto: 17, l4: udp(1, 2, 0) })]), 'second.pcap');
      const l = await t.request('GET', '/api/v1/pcaps');
      assert.equal(l.status, 200);
      assert.deepEqual(l.body.data.map((p: any) => p.id), [second.uuid, stored.uuid]);
      const p = l.body.data[1];
      assert.equal(p.node_uuid, node.uuid);
      assert.equal(p.incident_uuid, incident);
      assert.equal(p.size_bytes, capture.length);
      assert.equal(p.sha256, createHash('sha256').update(capture).digest('hex'));
      assert.deepEqual(l.body.meta, { total: 2, limit: 50, offset: 0 });
      assert.equal((await t.request('GET', '/api/v1/pcaps?limit=1&offset=1')).body.data[0].id, stored.uuid);
      for (const q of ['limit=0', 'limit=101', 'offset=-1']) assert.equal((await t.request('GET', `/api/v1/pcaps?${q}`)).status, 400, q);
    });

    test('packets: decoded fields, pagination, total', async () => {
      const r = await t.request('GET', `/api/v1/pcaps/${stored.uuid}/packets?limit=4`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.meta, { total: 50, limit: 4, offset: 0 });
      const [a, b, c, d] = r.body.data;
      assert.deepEqual(
        { src: a.src_ip, dst: a.dst_ip, proto: a.protocol, sp: a.src_port, dp: a.dst_port, ttl: a.ttl, payload: a.payload_size, len: a.length },
        { src: '198.51.100.7', dst: '203.0.113.10', proto: 'udp', sp: 123, dp: 4444, ttl: 51, payload: 40, len: 82 },
      );
      assert.equal(a.timestamp, '2026-11-22T12:00:00.000Z');
      assert.deepEqual([b.protocol, b.dst_port, b.tcp_flags, b.ttl], ['tcp', 443, 'SYN', 250]);
      assert.deepEqual([c.tcp_flags, c.payload_size], ['SYN,ACK', 10]);
      assert.equal(d.fragment, true);
      assert.equal(d.src_port, null); // a non-first fragment carries no ports
      const page = await t.request('GET', `/api/v1/pcaps/${stored.uuid}/packets?offset=48&limit=1000`);
      assert.deepEqual(page.body.data.map((p: any) => p.index), [48, 49]);
      assert.equal(page.body.data[1].dst_port, 5045);
      for (const q of ['limit=0', 'limit=1001', 'offset=-3']) assert.equal((await t.request('GET', `/api/v1/pcaps/${stored.uuid}/packets?${q}`)).status, 400, q);
      // the count is kept after the first full pass
      assert.equal((await t.request('GET', '/api/v1/pcaps')).body.data.find((p: any) => p.id === stored.uuid).packet_count, 50);
    });

    test('download: the exact bytes, as application/vnd.tcpdump.pcap', async () => {
      const res = await fetch(`${t.url}/api/v1/pcaps/${stored.uuid}/download`, { headers: { authorization: `Bearer ${t.admin.apiToken}` } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/vnd.tcpdump.pcap');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="attack\.pcap"$/);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), capture);
    });

    test('analysis: computed once, then served from the cache', async () => {
      const first = await t.request('GET', `/api/v1/pcaps/${stored.uuid}/analysis`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.data.cached, false);
      const report = first.body.data.report;
      assert.equal(report.file.packets, 50);
      assert.ok(Array.isArray(report.incidents) && Array.isArray(report.timeline) && Array.isArray(report.recommendations));
      const second = await t.request('GET', `/api/v1/pcaps/${stored.uuid}/analysis`);
      assert.equal(second.body.data.cached, true);
      assert.deepEqual(second.body.data.report, report);
      assert.equal(second.body.data.analysed_at, first.body.data.analysed_at);
    });

    test('analysis of a real attack capture names the attack', async () => {
      const ntp = readFileSync(join(import.meta.dirname, '..', '..', '..', 'packages', 'analysis', 'fixtures', 'ntp-amplification.pcap'));
      const saved = await upload(t, node, incident, ntp, 'ntp.pcap');
      const r = await t.request('GET', `/api/v1/pcaps/${saved.uuid}/analysis`);
      assert.equal(r.status, 200);
      const inc = r.body.data.report.incidents;
      assert.equal(inc.length, 1);
      assert.equal(inc[0].attack_subtype, 'ntp_amplification');
      assert.ok(r.body.data.report.recommendations.some((x: any) => x.kind === 'flowspec'));
    });

    test('another workspace’s capture answers 404 on every PCAP route', async () => {
      const other = await t.addWorkspace();
      for (const path of ['packets', 'analysis', 'download']) {
        const r = await t.request('GET', `/api/v1/pcaps/${stored.uuid}/${path}`, { token: other.apiToken });
        assert.equal(r.status, 404, path);
        assert.equal(errorCode(r), 'not_found');
      }
      assert.equal((await t.request('GET', '/api/v1/pcaps', { token: other.apiToken })).body.meta.total, 0);
      assert.equal((await t.request('GET', '/api/v1/pcaps/not-an-id/packets')).status, 404);
    });
  });
}
