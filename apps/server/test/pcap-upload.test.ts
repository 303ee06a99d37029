// PCAP uploads: multipart (reference and field shapes) and raw chunks, streamed to disk
// with their sha256; limits answered 413 with nothing kept.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';
import { pcapngOf, pcapOf } from './pcap-frames.ts';

/** A classic pcap (µs, Ethernet) with `count` frames of `size` bytes each. */
function makePcap(count: number, size = 60): Buffer {
  return pcapOf(Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 256)), 1_700_000_000_000);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function form(fields: [string, string | { data: Buffer; filename: string }][]): FormData {
  const f = new FormData();
  for (const [k, v] of fields) {
    if (typeof v === 'string') f.append(k, v);
    else f.append(k, new Blob([new Uint8Array(v.data)], { type: 'application/vnd.tcpdump.pcap' }), v.filename);
  }
  return f;
}

for (const backend of BACKENDS) {
  describe(`PCAP upload on ${backend.name}`, () => {
    let t: TestServer;
    let node: { uuid: string; key: string };
    let inc: { uuid: string; id: number };
    const hdr = () => ({ authorization: `Bearer ${node.key}`, 'x-node-uuid': node.uuid });
    const pcapFiles = () => {
      const dir = join(t.dataDir, 'pcaps');
      return existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => String(f).includes('.pcap')) : [];
    };

    before(async () => {
      t = await startTestServer(backend, { pcapMaxBytes: 64 * 1024 });
      node = await t.deploy(t.admin);
      const r = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 1000 });
      inc = { uuid: r.body.uuid, id: r.body.incident_id };
    });
    after(async () => t.stop());

    test('reference shape: POST agent/pcap with incident_id (after the file) and file', async () => {
      const data = makePcap(20);
      const res = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['file', { data, filename: '../../etc/passwd' }], ['incident_id', String(inc.id)]]) });
      const body = (await res.json()) as any;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.data.sha256, sha(data));
      assert.equal(body.data.size_bytes, data.length);
      assert.equal(body.data.format, 'pcap');
      assert.equal(body.data.incident_uuid, inc.uuid);
      assert.equal(body.data.filename, 'passwd'); // a client path never becomes ours
      const stored = pcapFiles();
      assert.equal(stored.length, 1);
      assert.deepEqual(readFileSync(join(t.dataDir, 'pcaps', String(stored[0]))), data);
      const detail = await t.request('GET', `/api/v1/incidents/${inc.uuid}`);
      assert.equal(detail.body.data.pcaps[0].sha256, sha(data));
    });

    test('field shape: multipart field "pcap" on incidents/{uuid}/pcap, pcapng accepted', async () => {
      const ng = pcapngOf([Buffer.alloc(60, 1), Buffer.alloc(61, 2)]);
      const res = await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, { method: 'POST', headers: hdr(), body: form([['pcap', { data: ng, filename: 'cap.pcapng' }]]) });
      const body = (await res.json()) as any;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.data.format, 'pcapng');
      assert.equal(body.data.sha256, sha(ng));
    });

    test('a retried upload of the same file (reply lost) gets the stored capture back, not a second copy', async () => {
      const data = makePcap(7, 90);
      const send = async () => {
        const res = await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, { method: 'POST', headers: hdr(), body: form([['pcap', { data, filename: 'part-1.pcap' }]]) });
        assert.equal(res.status, 200);
        return ((await res.json()) as any).data;
      };
      const filesBefore = pcapFiles().length;
      const first = await send();
      const again = await send();
      assert.equal(again.uuid, first.uuid);
      assert.equal(pcapFiles().length, filesBefore + 1);
      // Another part of the same attack (different content) is its own capture.
      const other = await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, { method: 'POST', headers: hdr(), body: form([['pcap', { data: makePcap(8, 90), filename: 'part-2.pcap' }]]) });
      assert.notEqual(((await other.json()) as any).data.uuid, first.uuid);
      assert.equal(pcapFiles().length, filesBefore + 2);
    });

    test('field shape: raw 2 MiB-style chunks, out of order, assembled once', async () => {
      const data = makePcap(300); // ~23 KB, sent in 3 chunks
      const size = Math.ceil(data.length / 3);
      const chunks = [0, 1, 2].map((i) => data.subarray(i * size, (i + 1) * size));
      const send = (i: number) =>
        fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, {
          method: 'POST',
          headers: { ...hdr(), 'content-type': 'application/octet-stream', 'x-chunk-index': String(i), 'x-chunk-total': '3', 'x-upload-id': 'up-123' },
          body: new Uint8Array(chunks[i]!),
        });
      const before = pcapFiles().length;
      const r2 = (await (await send(2)).json()) as any;
      assert.deepEqual([r2.data.received, r2.data.complete], [1, false]);
      const r0 = (await (await send(0)).json()) as any;
      assert.equal(r0.data.complete, false);
      const last = await send(1);
      const body = (await last.json()) as any;
      assert.equal(last.status, 200, JSON.stringify(body));
      assert.equal(body.data.sha256, sha(data));
      assert.equal(body.data.size_bytes, data.length);
      assert.equal(pcapFiles().length, before + 1);
      assert.deepEqual(readdirSync(join(t.dataDir, 'uploads')), [], 'chunks removed once assembled');
    });

    test('over the limit: 413, and neither a file nor a row is kept', async () => {
      const before = pcapFiles().length;
      const detailBefore = (await t.request('GET', `/api/v1/incidents/${inc.uuid}`)).body.data.pcaps.length;
      const big = makePcap(2000); // > 64 KiB
      const res = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['incident_id', String(inc.id)], ['file', { data: big, filename: 'big.pcap' }]]) });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as any).error.code, 'payload_too_large');
      assert.equal(pcapFiles().length, before);
      assert.equal((await t.request('GET', `/api/v1/incidents/${inc.uuid}`)).body.data.pcaps.length, detailBefore);
      assert.equal(readdirSync(join(t.dataDir, 'tmp')).length, 0, 'partial upload removed');
    });

    test('chunks adding up past the limit: 413, and no chunk or temporary file is left', async () => {
      const chunk = (i: number) =>
        fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, {
          method: 'POST',
          headers: { ...hdr(), 'content-type': 'application/octet-stream', 'x-chunk-index': String(i), 'x-chunk-total': '3', 'x-upload-id': 'too-big' },
          body: new Uint8Array(40 * 1024), // two of these pass the 64 KiB limit
        });
      assert.equal((await chunk(0)).status, 200);
      const over = await chunk(1);
      assert.equal(over.status, 413);
      assert.equal(((await over.json()) as any).error.code, 'payload_too_large');
      assert.deepEqual(readdirSync(join(t.dataDir, 'uploads')), []);
      assert.deepEqual(readdirSync(join(t.dataDir, 'tmp')), []);
    });

    test('checked as a capture before it is kept: a script after the pcapng magic, cut or overlong records, on every upload route: 400 invalid pcap, nothing kept', async () => {
      const script = Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), Buffer.from('\n#!/bin/sh\nid > /tmp/owned\n')]);
      const good = makePcap(3, 80);
      const cut = good.subarray(0, good.length - 10); // the last record ends past the file
      const overlong = Buffer.from(good);
      overlong.writeUInt32LE(1_000_000, 24 + 8); // first record claims 1 MB captured
      const ngCut = pcapngOf([Buffer.alloc(60, 3)]).subarray(0, 60);
      const ngJunkBlock = Buffer.concat([pcapngOf([]), Buffer.from('#!/bin/sh\nrm -rf /\n')]);
      const before = pcapFiles().length;
      const listed = (await t.request('GET', '/api/v1/pcaps?limit=100')).body.data.length;
      for (const [name, data] of [['script', script], ['cut', cut], ['overlong', overlong], ['pcapng cut', ngCut], ['pcapng + script', ngJunkBlock]] as const) {
        const replies = [
          await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['incident_id', String(inc.id)], ['file', { data, filename: 'x.pcapng' }]]) }),
          await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, { method: 'POST', headers: hdr(), body: form([['pcap', { data, filename: 'x.pcapng' }]]) }),
          await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, {
            method: 'POST', headers: { ...hdr(), 'content-type': 'application/octet-stream', 'x-chunk-index': '0', 'x-chunk-total': '1', 'x-upload-id': `bad-${name.replace(/\W/g, '')}` }, body: new Uint8Array(data),
          }),
        ];
        for (const r of replies) {
          const body = (await r.json()) as any;
          assert.equal(r.status, 400, `${name}: ${JSON.stringify(body)}`);
          assert.equal(body.error.code, 'invalid_pcap');
          assert.match(body.error.message, /^invalid pcap: /, name);
        }
      }
      assert.equal(pcapFiles().length, before);
      assert.equal((await t.request('GET', '/api/v1/pcaps?limit=100')).body.data.length, listed);
      assert.deepEqual(readdirSync(join(t.dataDir, 'tmp')), [], 'no temporary file left');
      // A whole capture whose bytes merely look odd is still a capture.
      const ok = await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, { method: 'POST', headers: hdr(), body: form([['pcap', { data: pcapngOf([Buffer.from('#!/bin/sh\n')]), filename: 'x.pcapng' }]]) });
      assert.equal(ok.status, 200);
    });

    test('not a capture, missing file, unknown incident, another node’s incident', async () => {
      const junk = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['incident_id', String(inc.id)], ['file', { data: Buffer.from('hello world, not a pcap'), filename: 'x.pcap' }]]) });
      assert.equal(junk.status, 400);
      assert.equal(((await junk.json()) as any).error.code, 'invalid_pcap');
      const nofile = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['incident_id', String(inc.id)]]) });
      assert.equal(nofile.status, 400);
      assert.match(((await nofile.json()) as any).error.message, /^file: /);
      const noinc = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['file', { data: makePcap(1), filename: 'a.pcap' }]]) });
      assert.equal(noinc.status, 400);
      assert.match(((await noinc.json()) as any).error.message, /^incident_id: is required/);
      const missing = await fetch(`${t.url}/api/v1/agent/pcap`, { method: 'POST', headers: hdr(), body: form([['incident_id', '999999'], ['file', { data: makePcap(1), filename: 'a.pcap' }]]) });
      assert.equal(missing.status, 404);
      const other = await t.deploy(t.admin);
      const foreign = await fetch(`${t.url}/api/v1/agent/pcap`, {
        method: 'POST', headers: { authorization: `Bearer ${other.key}`, 'x-node-uuid': other.uuid }, body: form([['incident_id', String(inc.id)], ['file', { data: makePcap(1), filename: 'a.pcap' }]]),
      });
      assert.equal(foreign.status, 404);
      const json = await t.agent(node, 'POST', '/pcap', { incident_id: inc.id });
      assert.equal(json.status, 415);
      assert.equal(errorCode(json), 'unsupported_media_type');
      const badChunk = await fetch(`${t.url}/api/v1/agent/incidents/${inc.uuid}/pcap`, {
        method: 'POST', headers: { ...hdr(), 'content-type': 'application/octet-stream', 'x-chunk-index': '5', 'x-chunk-total': '3', 'x-upload-id': 'u' }, body: new Uint8Array(10),
      });
      assert.equal(badChunk.status, 400);
      assert.match(((await badChunk.json()) as any).error.message, /^X-Chunk-Index: /);
      assert.equal(readdirSync(join(t.dataDir, 'tmp')).length, 0);
    });
  });
}
