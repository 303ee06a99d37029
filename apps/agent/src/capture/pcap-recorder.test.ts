import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildPcap, readCaptureBuffer, readCaptureFile } from '@breakwater/packets';
import { PcapRecorder } from './pcap-recorder.ts';

const dir = mkdtempSync(join(tmpdir(), 'bw-rec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function feed(rec: PcapRecorder, from: number, count: number, size = 100) {
  const frames = Array.from({ length: count }, (_, i) => ({ tsMs: 1_700_000_000_000 + (from + i), data: Buffer.alloc(size, (from + i) % 256) }));
  for (const r of readCaptureBuffer(buildPcap({ linktype: 1 }, frames))) rec.onRecord(r);
}

async function bytesOf(path: string): Promise<number[]> {
  const out: number[] = [];
  for await (const r of readCaptureFile(path)) out.push(r.buf[r.offset]!);
  return out;
}

test('the file holds the ring (the packets before the attack) then everything during it, cut at the snaplen', async () => {
  const rec = new PcapRecorder({ dir, ringPackets: 5, maxBytes: 1 << 20, snaplen: 64, linktype: 1 });
  feed(rec, 0, 12); // only the last 5 stay in the ring
  rec.begin('inc-1');
  feed(rec, 12, 3);
  const done = rec.end('inc-1')!;
  feed(rec, 15, 2); // after the end: not in the file
  assert.deepEqual(await bytesOf(done.path), [7, 8, 9, 10, 11, 12, 13, 14]);
  assert.equal(done.packets, 8);
  for await (const r of readCaptureFile(done.path)) {
    assert.equal(r.caplen, 64);
    assert.equal(r.origlen, 100);
  }
  assert.equal(rec.end('inc-1'), null);
});

test('the byte cap stops the file and says it was cut', async () => {
  const rec = new PcapRecorder({ dir, ringPackets: 0, maxBytes: 24 + 3 * (16 + 64), snaplen: 64, linktype: 1 });
  rec.begin('inc-2');
  feed(rec, 0, 10);
  const done = rec.end('inc-2')!;
  assert.equal(done.truncated, true);
  assert.equal((await bytesOf(done.path)).length, 3);
});

test('a long attack is cut into parts by size: each part a valid pcap handed over when it closes, together every packet once', async () => {
  const parts: { id: string; path: string; part: number; packets: number }[] = [];
  // 16 + 64 bytes a record: a part of 24 + 10 records is 824 bytes
  const rec = new PcapRecorder({ dir, ringPackets: 4, maxBytes: 1 << 20, snaplen: 64, linktype: 1, partBytes: 824, writeBuffer: 100 }, {
    now: () => 0, onPart: (id, p) => parts.push({ id, ...p }),
  });
  feed(rec, 0, 4);
  rec.begin('inc-3');
  feed(rec, 4, 31); // 4 ring + 31 = 35 packets: parts of 10, 10, 10, then 5 at the end
  assert.deepEqual(parts.map((p) => [p.id, p.part, p.packets]), [['inc-3', 1, 10], ['inc-3', 2, 10], ['inc-3', 3, 10]]);
  const last = rec.end('inc-3')!;
  assert.equal(last.part, 4);
  const seen: number[] = [];
  for (const p of [...parts, last]) seen.push(...(await bytesOf(p.path)));
  assert.deepEqual(seen, Array.from({ length: 35 }, (_, i) => i));
});

test('parts by age close on tick() (only with packets in them), and the cap counts all parts together', async () => {
  let now = 0;
  const parts: { part: number; packets: number; truncated: boolean }[] = [];
  const rec = new PcapRecorder({ dir, ringPackets: 0, maxBytes: 24 * 3 + 12 * 80, snaplen: 64, linktype: 1, partMs: 60_000 }, {
    now: () => now, onPart: (_id, p) => parts.push(p),
  });
  rec.begin('inc-4');
  feed(rec, 0, 5);
  now += 59_999;
  rec.tick();
  assert.equal(parts.length, 0, 'not yet 60 s old');
  now += 1;
  rec.tick();
  assert.deepEqual(parts.map((p) => p.packets), [5]);
  now += 60_000;
  rec.tick();
  assert.equal(parts.length, 1, 'an empty part is not closed');
  feed(rec, 5, 10); // the cap (headers included) leaves room for 12 packets in all
  const last = rec.end('inc-4')!;
  assert.equal(last.packets, 7);
  assert.equal(last.truncated, true);
  assert.deepEqual(await bytesOf(last.path), [5, 6, 7, 8, 9, 10, 11]);
  assert.equal(rec.end('inc-4'), null);
});
