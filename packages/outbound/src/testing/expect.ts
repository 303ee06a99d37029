// Small assertion helpers for fake providers: they collect problems instead of throwing inside the server.
import type { FakeRequest } from './http-fake.ts';

/** Collects a problem when `got` differs from `want`. */
export function expectEq(problems: string[], what: string, got: unknown, want: unknown): boolean {
  if (got === want) return true;
  problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  return false;
}

/** A JSON body with the JSON content type, as every provider here documents for writes. */
export function expectJsonBody(problems: string[], req: FakeRequest): boolean {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json')) { problems.push(`${req.method} ${req.path}: content-type ${JSON.stringify(ct)}, want application/json`); return false; }
  if (req.json === null || typeof req.json !== 'object') { problems.push(`${req.method} ${req.path}: body is not a JSON object`); return false; }
  return true;
}

/** A JSON POST to `path`; returns the problems. */
export function expectJsonPost(req: FakeRequest, path: string): string[] {
  const p: string[] = [];
  expectEq(p, 'method', req.method, 'POST');
  expectEq(p, 'path', req.path, path);
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) p.push(`content-type: got ${req.headers['content-type']}`);
  if (req.json === null) p.push('body is not JSON');
  return p;
}

export function expectString(problems: string[], what: string, v: unknown, max?: number): void {
  if (typeof v !== 'string' || v.length === 0) problems.push(`${what}: missing or not a string`);
  else if (max !== undefined && v.length > max) problems.push(`${what}: ${v.length} chars > ${max}`);
}
