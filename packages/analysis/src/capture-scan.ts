// One pass over a capture: every packet to `onRecord`, and a bad or unreadable input turned into a
// ReportError (with the byte offset) instead of an exception, so the caller can say how far it got.
import { CaptureReader, CaptureRecord } from '@breakwater/packets';
import type { ReportError } from '@breakwater/contracts';

export interface ScanResult {
  reader: CaptureReader;
  error: ReportError | null;
  bytesRead: number;
}

export async function scanCapture(
  source: AsyncIterable<Uint8Array>,
  onRecord: (rec: CaptureRecord) => void,
  onChunk?: (chunk: Uint8Array) => Promise<void>,
): Promise<ScanResult> {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  let bytesRead = 0;
  try {
    for await (const chunk of source) {
      if (onChunk !== undefined) await onChunk(chunk);
      bytesRead += chunk.length;
      reader.push(chunk);
      while (reader.next(rec)) onRecord(rec);
      if (reader.error !== null) break;
    }
    if (reader.error === null) {
      reader.end();
      while (reader.next(rec)) onRecord(rec);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const what = e.code !== undefined ? `${e.code}: ${e.message}` : String(e.message ?? err);
    return { reader, bytesRead, error: { code: 'unreadable', message: `cannot read the capture (${what}) (at byte ${bytesRead})`, offset: bytesRead } };
  }
  const ce = reader.error;
  if (ce !== null) return { reader, bytesRead, error: { code: ce.code, message: ce.message, offset: ce.offset } };
  return { reader, bytesRead, error: null };
}
