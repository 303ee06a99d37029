// Convenience iteration over a capture. Each yielded record is the same object, refilled:
// copy what must outlive the iteration step. The hot path (agent, benchmark) should use
// CaptureReader.push/next directly, which costs no promise per packet.
import { createReadStream } from 'node:fs';
import { CaptureReader } from './capture-reader.ts';
import { CaptureRecord } from './capture-record.ts';

/** Packets from a byte stream (a file stream, a child's stdout); throws CaptureError on bad input. */
export async function* readCapture(source: AsyncIterable<Uint8Array>): AsyncGenerator<CaptureRecord, void, undefined> {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  for await (const chunk of source) {
    reader.push(chunk);
    while (reader.next(rec)) yield rec;
    if (reader.error !== null) throw reader.error;
  }
  reader.end();
  while (reader.next(rec)) yield rec;
  if (reader.error !== null) throw reader.error;
}

export function readCaptureFile(path: string): AsyncGenerator<CaptureRecord, void, undefined> {
  return readCapture(createReadStream(path, { highWaterMark: 1 << 20 }));
}

/** Packets of a capture held whole in memory; throws CaptureError on bad input. */
export function* readCaptureBuffer(bytes: Uint8Array): Generator<CaptureRecord, void, undefined> {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  reader.push(bytes);
  reader.end();
  while (reader.next(rec)) yield rec;
  if (reader.error !== null) throw reader.error;
}
