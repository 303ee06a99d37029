// Data sets that arrive before their template (an exporter restarted, or sends templates only
// every N packets) wait here a short bounded time, capped in count and bytes per exporter.
import type { Session } from '../session.ts';
import { decodeDataSet, type TimeBase } from './decode-data.ts';
import { templateKey, type Template } from './template.ts';

export function holdDataSet(s: Session, protocol: 'netflow_v9' | 'ipfix', domain: number, id: number, b: Uint8Array, off: number, end: number, time: TimeBase): void {
  const ex = s.exporter;
  const len = end - off;
  if (ex.pending.length >= s.limits.maxPendingSets || ex.pendingBytes + len > s.limits.maxPendingBytes) {
    s.fail('pending_overflow');
    return;
  }
  ex.pending.push({
    key: templateKey(protocol, domain, id),
    protocol,
    domain,
    templateId: id,
    bytes: b.slice(off, end),
    exportSec: time.exportSec,
    uptimeMs: time.uptimeMs,
    receivedAtMs: time.receivedAtMs,
  });
  ex.pendingBytes += len;
}

/** Decodes the held sets a newly learnt template fits, oldest first. */
export function releasePending(s: Session, key: number, t: Template): void {
  const ex = s.exporter;
  let kept = 0;
  for (let i = 0; i < ex.pending.length; i++) {
    const p = ex.pending[i]!;
    if (p.key !== key) {
      ex.pending[kept++] = p;
      continue;
    }
    ex.pendingBytes -= p.bytes.length;
    decodeDataSet(s, t, p.bytes, 0, p.bytes.length, { exportSec: p.exportSec, uptimeMs: p.uptimeMs, receivedAtMs: p.receivedAtMs });
  }
  ex.pending.length = kept;
}

/** Drops (and counts as unknown_template) held sets older than pendingHoldMs. */
export function expirePending(s: Session, nowMs: number): void {
  const ex = s.exporter;
  let kept = 0;
  for (let i = 0; i < ex.pending.length; i++) {
    const p = ex.pending[i]!;
    if (nowMs - p.receivedAtMs > s.limits.pendingHoldMs) {
      ex.pendingBytes -= p.bytes.length;
      s.fail('unknown_template');
    } else {
      ex.pending[kept++] = p;
    }
  }
  ex.pending.length = kept;
}
