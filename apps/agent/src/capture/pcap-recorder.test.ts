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
