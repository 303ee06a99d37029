// One linear pass over a log line into fields: runs of non-space characters, or a whole
// "quoted" (backslash escapes kept as written), [bracketed] or {braced} group. No regular
// expression, so an attacker-written field (URI, user agent) cannot make parsing slow; an
// unterminated group ends the line.
export interface Token {
  text: string;
  /** The opening character of a grouped token ('"', '[', '{'), or '' for a bare one. */
  quote: string;
}

const CLOSE: Record<string, string> = { '"': '"', '[': ']', '{': '}' };

/** At most `maxTokens` fields are read; the rest of the line is ignored. `sep` splits instead of spaces when given (e.g. a tab). */
export function tokenize(line: string, maxTokens = 64, sep = ' '): Token[] {
  const out: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n && out.length < maxTokens) {
    while (i < n && line[i] === sep) i++;
    if (i >= n) break;
    const c = line[i]!;
    const close = sep === ' ' ? CLOSE[c] : undefined;
    if (close !== undefined) {
      let j = i + 1;
      while (j < n && line[j] !== close) j += line[j] === '\\' && c === '"' ? 2 : 1;
      out.push({ text: line.slice(i + 1, Math.min(j, n)), quote: c });
      i = j + 1;
    } else {
      let j = line.indexOf(sep, i);
      if (j < 0) j = n;
      out.push({ text: line.slice(i, j), quote: '' });
      i = j;
    }
  }
  return out;
}

/** `GET /a?b=1 HTTP/1.1` → method, path, query. A request line with no URI gives null. */
export function splitRequest(request: string): { method: string; path: string; query: string } | null {
  const s1 = request.indexOf(' ');
  if (s1 <= 0) return null;
  const method = request.slice(0, s1);
  let s2 = request.indexOf(' ', s1 + 1);
  if (s2 < 0) s2 = request.length;
  const uri = request.slice(s1 + 1, s2);
  if (uri.length === 0) return null;
  return { method, ...splitUri(uri) };
}

export function splitUri(uri: string): { path: string; query: string } {
  const q = uri.indexOf('?');
  return q < 0 ? { path: uri, query: '' } : { path: uri.slice(0, q), query: uri.slice(q + 1) };
}

/** Caps every string a record keeps: keys in the counters stay small whatever the line held. */
export const FIELD_MAX = 512;
export const cap = (s: string, max = FIELD_MAX): string => (s.length > max ? s.slice(0, max) : s);

/** A status code field: three digits, else 0. */
export function statusOf(s: string | undefined): number {
  if (s === undefined || s.length !== 3) return 0;
  const v = Number(s);
  return Number.isInteger(v) && v >= 100 && v <= 599 ? v : 0;
}

/** `1.2.3.4:5678` or `[::1]:80` → the address; a bare address is returned as is. */
export function stripPort(s: string): string {
  if (s.startsWith('[')) {
    const e = s.indexOf(']');
    return e > 0 ? s.slice(1, e) : s;
  }
  const c = s.indexOf(':');
  return c > 0 && s.indexOf(':', c + 1) < 0 ? s.slice(0, c) : s;
}
