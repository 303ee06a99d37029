// A format the operator declares: the fields in order, e.g.
//   {"format": "custom", "fields": ["source", "-", "-", "time", "request", "status", "bytes", "-", "user_agent"]}
// split on spaces ("quoted", [bracketed] and {braced} groups are one field) or on tabs. No user
// regular expression: only this list of known field names.
import type { HttpRequestRecord } from '@breakwater/contracts';
import type { CustomFormat, LogLineParser } from './log-parser.ts';
import { cap, splitRequest, splitUri, statusOf, stripPort, tokenize } from './tokenize.ts';

export function customParser(format: CustomFormat | undefined): LogLineParser {
  const fields = format?.fields ?? [];
  const sep = format?.separator === 'tab' ? '\t' : ' ';
  const has = (f: string) => fields.includes(f as never);
  // Without a source and a URI (or a whole request) a line tells nothing the detector counts.
  const usable = has('source') && (has('request') || has('uri'));
  return (line) => {
    if (!usable) return null;
    const t = tokenize(line, fields.length, sep);
    if (t.length < fields.length) return null;
    const rec: HttpRequestRecord = { source: '', method: 'GET', path: '', query: '', host: '', status: 0, userAgent: '' };
    for (let k = 0; k < fields.length; k++) {
      const v = t[k]!.text;
      switch (fields[k]) {
        case 'source': rec.source = cap(stripPort(v), 64); break;
        case 'method': rec.method = cap(v, 16); break;
        case 'uri': Object.assign(rec, mapUri(v)); break;
        case 'request': {
          const r = splitRequest(v);
          if (!r) return null;
          rec.method = cap(r.method, 16);
          rec.path = cap(r.path);
          rec.query = cap(r.query);
          break;
        }
        case 'host': rec.host = cap(v, 255); break;
        case 'status': rec.status = statusOf(v); break;
        case 'user_agent': rec.userAgent = cap(v); break;
        default: break;
      }
    }
    return rec.source && rec.path ? rec : null;
  };
}

function mapUri(v: string): { path: string; query: string } {
  const u = splitUri(v);
  return { path: cap(u.path), query: cap(u.query) };
}
