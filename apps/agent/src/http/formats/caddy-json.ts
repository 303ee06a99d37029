// Caddy's JSON access log (one object per line, `http.log.access` logger):
//   {"level":"info","logger":"http.log.access","msg":"handled request","request":{"remote_ip":"…","client_ip":"…",
//    "method":"GET","host":"…","uri":"/a?b=1","headers":{"User-Agent":["…"]}},"status":200,…}
// The line is already capped in length by the tailer, so JSON.parse works on bounded input.
import type { LogLineParser } from './log-parser.ts';
import { cap, splitUri } from './tokenize.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function caddyJsonParser(): LogLineParser {
  return (line) => {
    if (line.charCodeAt(0) !== 123 /* { */) return null;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return null;
    }
    if (typeof o !== 'object' || o === null) return null;
    const r = (o as { request?: unknown }).request;
    if (typeof r !== 'object' || r === null) return null;
    const req = r as Record<string, unknown>;
    const uri = str(req.uri);
    const method = str(req.method);
    if (!uri || !method) return null;
    const headers = (typeof req.headers === 'object' && req.headers !== null ? req.headers : {}) as Record<string, unknown>;
    const uaList = headers['User-Agent'];
    const status = (o as { status?: unknown }).status;
    const { path, query } = splitUri(uri);
    return {
      source: cap(str(req.client_ip) || str(req.remote_ip) || str(req.remote_addr), 64), method: cap(method, 16), path: cap(path), query: cap(query),
      host: cap(str(req.host), 255), status: typeof status === 'number' && Number.isInteger(status) && status >= 0 && status <= 999 ? status : 0,
      userAgent: cap(Array.isArray(uaList) ? str(uaList[0]) : str(uaList)),
    };
  };
}
