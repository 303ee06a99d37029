// sFlow counter samples: generic interface counters (record 0:1) are kept per ifIndex in the
// exporter's status, capped at maxInterfaces; other counter records are skipped.
import { u32, u64 } from '../bytes.ts';
import type { Session } from '../session.ts';

const GENERIC_INTERFACE = 1;
const GENERIC_INTERFACE_LENGTH = 88;

export function readCounterSample(s: Session, b: Uint8Array, p: number, end: number, expanded: boolean): void {
  const head = expanded ? 16 : 12;
  if (end - p < head) {
    s.fail('bad_sample');
    return;
  }
  const records = u32(b, p + head - 4);
  p += head;
  for (let i = 0; i < records; i++) {
    if (end - p < 8) {
      s.fail('bad_sample');
      return;
    }
    const format = u32(b, p);
    const len = u32(b, p + 4);
    p += 8;
    if (len > end - p) {
      s.fail('bad_sample');
      return;
    }
    if (format === GENERIC_INTERFACE) {
      if (len < GENERIC_INTERFACE_LENGTH) s.fail('bad_sample');
      else genericInterface(s, b, p);
    }
    p += len;
  }
}

function genericInterface(s: Session, b: Uint8Array, p: number): void {
  const ifIndex = u32(b, p);
  const map = s.exporter.interfaces;
  let c = map.get(ifIndex);
  if (c === undefined) {
    if (map.size >= s.limits.maxInterfaces) return;
    c = {
      ifIndex,
      ifSpeed: 0,
      inOctets: 0,
      inPackets: 0,
      inErrors: 0,
      inDiscards: 0,
      outOctets: 0,
      outPackets: 0,
      outErrors: 0,
      outDiscards: 0,
      updatedAtMs: 0,
    };
    map.set(ifIndex, c);
  }
  c.ifSpeed = u64(b, p + 8);
  c.inOctets = u64(b, p + 24);
  c.inPackets = u32(b, p + 32) + u32(b, p + 36) + u32(b, p + 40);
  c.inDiscards = u32(b, p + 44);
  c.inErrors = u32(b, p + 48);
  c.outOctets = u64(b, p + 56);
  c.outPackets = u32(b, p + 64) + u32(b, p + 68) + u32(b, p + 72);
  c.outDiscards = u32(b, p + 76);
  c.outErrors = u32(b, p + 80);
  c.updatedAtMs = s.receivedAtMs;
}
