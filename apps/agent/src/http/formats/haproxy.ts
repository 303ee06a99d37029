// HAProxy's HTTP log format (`option httplog`), after its syslog prefix:
//   haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {host|agent} {} "GET /index.html HTTP/1.1"
// The client is the first ADDR:PORT field followed by a [date]; the status is five fields on; the
// request is the last quoted field. Captured request headers (`capture request header Host` then
// `User-Agent`), when configured, are the first {…} block, split on '|'.
import type { LogLineParser } from './log-parser.ts';
import { cap, splitRequest, statusOf, stripPort, tokenize } from './tokenize.ts';

const isDigit = (c: number) => c >= 48 && c <= 57;

export function haproxyParser(): LogLineParser {
  return (line) => {
    const t = tokenize(line, 40);
    let i = -1;
    for (let k = 0; k + 1 < t.length; k++) {
      const tk = t[k]!;
      if (tk.quote === '' && t[k + 1]!.quote === '[' && isDigit(tk.text.charCodeAt(tk.text.lastIndexOf(':') + 1)) && tk.text.lastIndexOf(':') > 0) {
        i = k;
        break;
      }
    }
    let source = i >= 0 ? stripPort(t[i]!.text) : '';
    if (i < 0) {
      // An IPv6 client, [2001:db8::1]:443: the tokenizer gives the bracketed address, then ":443".
      for (let k = 0; k + 2 < t.length; k++) {
        if (t[k]!.quote === '[' && t[k + 1]!.quote === '' && t[k + 1]!.text.charCodeAt(0) === 58 && t[k + 2]!.quote === '[' && t[k]!.text.includes(':')) {
          i = k + 1;
          source = t[k]!.text;
          break;
        }
      }
    }
    if (i < 0) return null;
    let request: string | undefined;
    let captured: string | undefined;
    for (let k = i + 2; k < t.length; k++) {
      if (t[k]!.quote === '"') request = t[k]!.text;
      if (t[k]!.quote === '{' && captured === undefined) captured = t[k]!.text;
    }
    if (request === undefined) return null;
    const req = splitRequest(request);
    if (!req) return null;
    const parts = captured ? captured.split('|', 3) : [];
    return {
      source: cap(source, 64), method: cap(req.method, 16), path: cap(req.path), query: cap(req.query),
      host: cap(parts[0] ?? '', 255), status: statusOf(t[i + 5]?.text), userAgent: cap(parts[1] ?? ''),
    };
  };
}
