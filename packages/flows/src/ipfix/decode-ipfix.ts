// IPFIX (RFC 7011): a 16-byte message header whose length bounds the message, then sets —
// templates (2), options templates (3), data (256+). Templates are per (exporter, observation domain).
import { u16, u32 } from '../bytes.ts';
import type { Session } from '../session.ts';
import { dataSet } from '../template/template-store.ts';
import { ipfixTemplateSet } from '../template/template-sets.ts';

const HEADER = 16;

export function decodeIpfix(s: Session, b: Uint8Array): void {
  if (b.length < HEADER) {
    s.fail('truncated');
    return;
  }
  const length = u16(b, 2);
  if (length < HEADER) {
    s.fail('bad_header');
    return;
  }
  let limit = length;
  if (length > b.length) {
    s.fail('truncated');
    limit = b.length;
  }
  const time = { exportSec: u32(b, 4), uptimeMs: -1, receivedAtMs: s.receivedAtMs };
  const domain = u32(b, 12);
  let p = HEADER;
  while (limit - p >= 4) {
    const id = u16(b, p);
    const len = u16(b, p + 2);
    if (len < 4) {
      s.fail('bad_set');
      return;
    }
    const end = p + len;
    if (end > limit) {
      s.fail(limit < length ? 'truncated' : 'bad_set');
      return;
    }
    if (id === 2) ipfixTemplateSet(s, b, p + 4, end, domain, false);
    else if (id === 3) ipfixTemplateSet(s, b, p + 4, end, domain, true);
    else if (id >= 256) dataSet(s, 'ipfix', domain, id, b, p + 4, end, time);
    p = end;
  }
}
