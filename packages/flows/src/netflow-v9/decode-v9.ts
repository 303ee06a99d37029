// NetFlow v9 (RFC 3954): a 20-byte header, then FlowSets — templates (0), options templates (1),
// data (256+). Templates are per (exporter, source id).
import { u16, u32 } from '../bytes.ts';
import type { Session } from '../session.ts';
import { dataSet } from '../template/template-store.ts';
import { v9OptionsTemplateSet, v9TemplateSet } from '../template/template-sets.ts';

const HEADER = 20;

export function decodeNetflowV9(s: Session, b: Uint8Array): void {
  if (b.length < HEADER) {
    s.fail('truncated');
    return;
  }
  const time = { exportSec: u32(b, 8), uptimeMs: u32(b, 4), receivedAtMs: s.receivedAtMs };
  const domain = u32(b, 16);
  let p = HEADER;
  while (b.length - p >= 4) {
    const id = u16(b, p);
    const len = u16(b, p + 2);
    if (len < 4) {
      s.fail('bad_set');
      return;
    }
    const end = p + len;
    if (end > b.length) {
      s.fail('truncated');
      return;
    }
    if (id === 0) v9TemplateSet(s, b, p + 4, end, domain);
    else if (id === 1) v9OptionsTemplateSet(s, b, p + 4, end, domain);
    else if (id >= 256) dataSet(s, 'netflow_v9', domain, id, b, p + 4, end, time);
    // 2–255 are reserved: skipped by their length.
    p = end;
  }
}
