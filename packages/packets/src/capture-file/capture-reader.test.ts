import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { CaptureError } from './capture-error.ts';
import { CaptureReader, MAX_BLOCK } from './capture-reader.ts';
import { CaptureRecord } from './capture-record.ts';
import { Linktype } from './linktype.ts';
import { buildPcap, encodePcapHeader } from './pcap-writer.ts';
import { PcapngBuilder } from '../testing/pcapng-builder.ts';
import { divideTimestamp } from './pcapng-interface.ts';
import { readCapture, readCaptureBuffer } from './read-capture.ts';

interface Seen {
  linktype: number;
  interfaceId: number;
  tsSec: number;
  tsNs: number;
  caplen: number;
  origlen: number;
  data: number[];
}

function seen(r: CaptureRecord): Seen {
  return { linktype: r.linktype, interfaceId: r.interfaceId, tsSec: r.tsSec, tsNs: r.tsNs, caplen: r.caplen, origlen: r.origlen, data: [...r.copyData()] };
}

/** Reads `bytes` pushed in chunks of the given sizes (cycled). */
function readChunked(bytes: Uint8Array, sizes: number[]): { packets: Seen[]; error: CaptureError | null } {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  const packets: Seen[] = [];
  let o = 0;
  for (let i = 0; o < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    // Copy, so the reader cannot rely on bytes outside the chunk it was given.
    reader.push(bytes.slice(o, o + n));
    o += n;
    while (reader.next(rec)) packets.push(seen(rec));
  }
  reader.end();
  while (reader.next(rec)) packets.push(seen(rec));
  return { packets, error: reader.error };
}

const frames = [Uint8Array.of(1, 2, 3, 4, 5), new Uint8Array(60).fill(7), new Uint8Array(0), Uint8Array.of(9)];

void test('pcap in µs and ns, both byte orders, round-trips through the writer', () => {
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      const file = buildPcap(
        { linktype: Linktype.linuxSll2, snaplen: 96, nanosecond, bigEndian },
        frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsNs: 123_456_789, data, origlen: data.length + 10 })),
      );
      const reader = new CaptureReader();
      const rec = new CaptureRecord();
      reader.push(file);
      reader.end();
      const got: Seen[] = [];
      while (reader.next(rec)) got.push(seen(rec));
      assert.equal(reader.error, null);
      assert.equal(reader.done, true);
      assert.deepEqual([reader.format, reader.linktype, reader.snaplen, reader.nanosecond], ['pcap', Linktype.linuxSll2, 96, nanosecond]);
      assert.equal(got.length, frames.length);
      got.forEach((g, i) => {
        assert.deepEqual(g.data, [...frames[i]!]);
        assert.equal(g.tsSec, 1_700_000_000 + i);
        assert.equal(g.tsNs, nanosecond ? 123_456_789 : 123_456_000);
        assert.equal(g.origlen, frames[i]!.length + 10);
        assert.equal(g.linktype, Linktype.linuxSll2);
      });
      assert.ok(Math.abs(rec.tsMs - (1_700_000_003_123.456_789)) < 0.001);
    }
  }
});

void test('chunk boundaries anywhere give the same packets', () => {
  const file = buildPcap({ linktype: 1 }, frames.map((data, i) => ({ tsMs: i, data })));
  const whole = readChunked(file, [file.length]);
  assert.equal(whole.packets.length, frames.length);
  for (const sizes of [[1], [2, 3], [7], [16, 1, 40], [23, 25]]) {
    assert.deepEqual(readChunked(file, sizes), whole, `chunks ${sizes.join(',')}`);
  }
  for (let cut = 1; cut < file.length; cut++) {
    assert.deepEqual(readChunked(file, [cut, file.length]), whole, `cut at ${cut}`);
  }
});

function sampleNg(le: boolean): Uint8Array {
  return new PcapngBuilder(le)
    .shb()
    .idb(Linktype.ethernet, 65535, 9)
    .block(0x0bad, [new Uint8Array(40)])
    .idb(Linktype.raw, 128, 0x80 | 20, 100)
    .epb(0, 1_700_000_000_987_654_321n, frames[0]!)
    .epb(1, (1_000n << 20n) + (1n << 19n), frames[1]!, 1500)
    .spb(frames[0]!, 5)
    .bytes();
}

void test('pcapng: per-interface linktype and if_tsresol/if_tsoffset, EPB, SPB, unknown blocks skipped', () => {
  for (const le of [true, false]) {
    const { packets, error } = readChunked(sampleNg(le), [1 << 20]);
    assert.equal(error, null);
    assert.deepEqual(
      packets.map((p) => [p.linktype, p.interfaceId, p.tsSec, p.tsNs, p.caplen, p.origlen]),
      [
        [Linktype.ethernet, 0, 1_700_000_000, 987_654_321, 5, 5],
        [Linktype.raw, 1, 1100, 500_000_000, 60, 1500],
        // SPB: no timestamp; captured length is min(origlen, bytes in the block).
        [Linktype.ethernet, 0, 0, 0, 5, 5],
      ],
    );
    assert.deepEqual(packets[1]!.data, [...frames[1]!]);
    const chunked = readChunked(sampleNg(le), [3, 5]);
    assert.deepEqual(chunked.packets, packets);
  }
});

void test('pcapng: a new section resets interfaces; large unknown blocks are skipped as they stream', () => {
  const second = new PcapngBuilder(false).shb().idb(Linktype.linuxSll).block(0x99, [new Uint8Array(200_000)]).epb(0, 5_000_000n, frames[0]!).bytes();
  const file = new Uint8Array([...sampleNg(true), ...second]);
  const { packets, error } = readChunked(file, [4096]);
  assert.equal(error, null);
  assert.equal(packets.length, 4);
  assert.deepEqual([packets[3]!.linktype, packets[3]!.tsSec], [Linktype.linuxSll, 5]);
});

function errorOf(bytes: Uint8Array, sizes = [bytes.length]): string | undefined {
  return readChunked(bytes, sizes).error?.code;
}

void test('malformed captures stop with a named error, not a throw or a loop', () => {
  const pcap = buildPcap({ linktype: 1 }, [{ tsMs: 0, data: frames[1]! }]);
  assert.equal(errorOf(new Uint8Array(0)), 'empty');
  assert.equal(errorOf(Uint8Array.of(1, 2, 3, 4, 5, 6)), 'bad-magic');
  assert.equal(errorOf(pcap.subarray(0, 10)), 'truncated');
  assert.equal(errorOf(pcap.subarray(0, pcap.length - 1)), 'truncated');
  const huge = pcap.slice();
  new DataView(huge.buffer).setUint32(24 + 8, 10_000_000, true);
  assert.equal(errorOf(huge), 'record-too-large');
  const v3 = pcap.slice();
  v3[4] = 3;
  assert.equal(errorOf(v3), 'unsupported-version');

  const ng = sampleNg(true);
  const zeroLen = ng.slice();
  new DataView(zeroLen.buffer).setUint32(28 + 4, 0, true); // the first IDB
  assert.equal(errorOf(zeroLen), 'bad-block-length');
  const mismatch = ng.slice();
  const idbLen = new DataView(ng.buffer).getUint32(28 + 4, true);
  mismatch[28 + idbLen - 4] = mismatch[28 + idbLen - 4]! ^ 0xff; // the IDB's trailing length
  assert.equal(errorOf(mismatch), 'bad-block-length');
  const noIface = new PcapngBuilder().shb().epb(0, 0n, frames[0]!).bytes();
  assert.equal(errorOf(noIface), 'unknown-interface');
  const tooBig = new PcapngBuilder().shb().idb(1).bytes();
  const withHuge = new Uint8Array([...tooBig, 6, 0, 0, 0, ...new Uint8Array(new Uint32Array([MAX_BLOCK + 4]).buffer)]);
  assert.equal(errorOf(withHuge), 'record-too-large');
  assert.equal(errorOf(new PcapngBuilder().shb().idb(1, 0, 40).bytes()), 'unsupported-tsresol');
  const shortEpb = new PcapngBuilder().shb().idb(1).block(6, [new Uint8Array(16)]).bytes();
  assert.equal(errorOf(shortEpb), 'bad-block-length');
});

void test('errors carry the byte offset and the packets before them are kept', () => {
  const pcap = buildPcap({ linktype: 1 }, [{ tsMs: 0, data: frames[0]! }, { tsMs: 1, data: frames[1]! }]);
  const cut = pcap.subarray(0, pcap.length - 3);
  const { packets, error } = readChunked(cut, [10]);
  assert.equal(packets.length, 1);
  assert.ok(error instanceof CaptureError);
  assert.equal(error.offset, 24 + 16 + 5);
  assert.match(error.message, /ends inside a record/);
});

void test('pushing after end() is an error', () => {
  const reader = new CaptureReader();
  reader.push(Uint8Array.of(0xd4));
  reader.end();
  reader.push(Uint8Array.of(1));
  assert.equal(reader.error?.code, 'reader-closed');
});

void test('readCapture iterates a stream and throws CaptureError at the bad record', async () => {
  const file = buildPcap({ linktype: 1 }, frames.map((data, i) => ({ tsMs: i, data })));
  const chunks = [file.subarray(0, 30), file.subarray(30, 31), file.subarray(31)];
  const lens: number[] = [];
  for await (const r of readCapture(Readable.from(chunks))) lens.push(r.caplen);
  assert.deepEqual(lens, frames.map((f) => f.length));
  await assert.rejects(
    async () => {
      for await (const _ of readCapture(Readable.from([file.subarray(0, file.length - 2)]))) void _;
    },
    (e: unknown) => e instanceof CaptureError && e.code === 'truncated',
  );
  assert.equal([...readCaptureBuffer(file)].length, frames.length);
});

void test('a header written at an offset is what the reader expects', () => {
  const out = new Uint8Array(30);
  assert.equal(encodePcapHeader(out, 6, { linktype: 101, nanosecond: true }), 24);
  const reader = new CaptureReader();
  reader.push(out.subarray(6));
  reader.end();
  assert.equal(reader.next(new CaptureRecord()), false);
  assert.equal(reader.error, null);
  assert.deepEqual([reader.linktype, reader.nanosecond], [101, true]);
});

void test('timestamp division is exact for 64-bit unit counts', () => {
  const rem = new Float64Array(1);
  for (const [units, total] of [
    [1e9, 1_700_000_000_987_654_321n],
    [1e9, 0xffffffffffffffffn],
    [2 ** 32, 0xfedcba9876543210n],
    [1e6, 1_234_567_890_123_456n],
    [1, 99n],
  ] as const) {
    const sec = divideTimestamp(Number(total >> 32n), Number(total & 0xffffffffn), units, rem);
    assert.equal(BigInt(sec), total / BigInt(units));
    assert.equal(BigInt(rem[0]!), total % BigInt(units));
  }
});
