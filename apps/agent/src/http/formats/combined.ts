// nginx and Apache "combined" and "common" formats (the same line; common stops after the bytes):
//   203.0.113.9 - user [07/Dec/2026:16:00:00 +0000] "GET /a?b=1 HTTP/1.1" 200 612 "referer" "agent"
// A virtual-host prefix (Apache's vhost_combined, `host:port` first) is recognised by the
// bracketed time being the fifth field instead of the fourth.
import type { HttpRequestRecord } from '@breakwater/contracts';
import type { LogLineParser } from './log-parser.ts';
import { cap, splitRequest, statusOf, stripPort, tokenize } from './tokenize.ts';

export function combinedParser(): LogLineParser {
  return (line) => {
    const t = tokenize(line, 12);
    let at = 0;
    let host = '';
    if (t[3]?.quote !== '[' && t[4]?.quote === '[') {
      host = t[0]!.text;
      at = 1;
    }
    const source = t[at];
    const time = t[at + 3];
    const request = t[at + 4];
    if (!source || source.quote !== '' || time?.quote !== '[' || request?.quote !== '"') return null;
    const req = splitRequest(request.text);
    if (!req) return null;
    const ua = t[at + 8];
    const rec: HttpRequestRecord = {
      source: cap(source.text, 64), method: cap(req.method, 16), path: cap(req.path), query: cap(req.query), host: cap(stripPort(host), 255),
      status: statusOf(t[at + 5]?.text), userAgent: ua?.quote === '"' ? cap(ua.text) : '',
    };
    return rec;
  };
}
