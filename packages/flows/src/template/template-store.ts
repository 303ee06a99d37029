// Templates per exporter: learn (refresh, redefinition), look up (with expiry), withdraw (IPFIX),
// and the data sets that wait for them.
import type { Session } from '../session.ts';
import type { Template} from './template.ts';
import { templateKey } from './template.ts';
import { decodeDataSet, type TimeBase } from './decode-data.ts';
import { holdDataSet, releasePending } from './pending-sets.ts';

export function learnTemplate(s: Session, t: Template): void {
  const ex = s.exporter;
  const key = templateKey(t.protocol, t.domain, t.id);
  const old = ex.templates.get(key);
  if (old !== undefined) {
    if (old.sameLayout(t)) {
      old.refreshedAtMs = t.refreshedAtMs;
      return;
    }
    ex.templateRedefinitions++;
    ex.templates.set(key, t);
  } else {
    if (ex.templates.size >= s.limits.maxTemplatesPerExporter) ex.expireTemplates(s.receivedAtMs, s.limits);
    if (ex.templates.size >= s.limits.maxTemplatesPerExporter) {
      s.fail('template_cache_full');
      return;
    }
    ex.templates.set(key, t);
  }
  if (ex.pending.length > 0) releasePending(s, key, t);
}

export function findTemplate(s: Session, protocol: 'netflow_v9' | 'ipfix', domain: number, id: number, nowMs: number): Template | undefined {
  const ex = s.exporter;
  const key = templateKey(protocol, domain, id);
  const t = ex.templates.get(key);
  if (t !== undefined && nowMs - t.refreshedAtMs > s.limits.templateTimeoutMs) {
    ex.templates.delete(key);
    ex.templatesExpired++;
    return undefined;
  }
  return t;
}

/** IPFIX withdrawal: one template, or (id 2 / 3) every data or options template of the domain. */
export function withdrawTemplate(s: Session, domain: number, id: number, options: boolean): void {
  const ex = s.exporter;
  if (id === 2 || id === 3) {
    for (const [key, t] of ex.templates) {
      if (t.protocol === 'ipfix' && t.domain === domain && t.options === options) {
        ex.templates.delete(key);
        ex.templatesWithdrawn++;
      }
    }
    return;
  }
  if (ex.templates.delete(templateKey('ipfix', domain, id))) ex.templatesWithdrawn++;
}

/** A data set: decoded now when its template is known, otherwise held for a while. */
export function dataSet(s: Session, protocol: 'netflow_v9' | 'ipfix', domain: number, id: number, b: Uint8Array, off: number, end: number, time: TimeBase): void {
  const t = findTemplate(s, protocol, domain, id, time.receivedAtMs);
  if (t !== undefined) decodeDataSet(s, t, b, off, end, time);
  else holdDataSet(s, protocol, domain, id, b, off, end, time);
}
