import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake provider answers the next requests. */
export type FakeMode = 'ok' | 'server_error' | 'rate_limited' | 'bad_request' | 'unauthorized' | 'hang';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fakes read provider JSON whose shape they are there to check
  json: any;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpProviderSpec {
  /** Problems with a request, checked as the provider documents it; none = the provider would accept it. */
  check(req: ReceivedRequest): string[];
  /** The provider's success reply. */
  ok(req: ReceivedRequest): FakeReply;
  /** The provider's own error replies, where they differ from the generic ones. */
  failures?: Partial<Record<'server_error' | 'rate_limited' | 'bad_request' | 'unauthorized', (req: ReceivedRequest) => FakeReply>>;
}

export interface FakeServer<R> {
  /** host:port */
  host: string;
  mode: FakeMode;
  readonly received: R[];
  readonly problems: string[];
  /** Requests (or connections) left without an answer in hang mode. */
  hanging(): number;
  stop(): Promise<void>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/**
 * Error replies echo the request back (path, headers, body), as some proxies and providers do,
 * so the suite can prove that no secret survives into a DeliveryResult.
 */
function echo(req: ReceivedRequest): unknown {
  return { path: req.path, query: req.query.toString(), headers: req.headers, body: req.body };
}

const GENERIC: Required<NonNullable<HttpProviderSpec['failures']>> = {
  server_error: (req) => json(500, { error: 'internal error', echo: echo(req) }),
  rate_limited: (req) => json(429, { error: 'rate limited', echo: echo(req) }, { 'retry-after': '7' }),
  bad_request: (req) => json(400, { error: 'bad request', echo: echo(req) }),
  unauthorized: (req) => json(401, { error: 'unauthorized', echo: echo(req) }),
};

export async function startHttpFake(spec: HttpProviderSpec): Promise<FakeServer<ReceivedRequest>> {
  const received: ReceivedRequest[] = [];
  const problems: string[] = [];
  const hung = new Set<ServerResponse>();
  const state = { mode: 'ok' as FakeMode };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = null;
      try { parsed = JSON.parse(body); } catch { /* checked by the spec */ }
      const r: ReceivedRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, json: parsed };
      received.push(r);
      if (state.mode === 'hang') { hung.add(res); return; }
      let reply: FakeReply;
      if (state.mode === 'ok') {
        const found = spec.check(r);
        problems.push(...found);
        reply = found.length ? json(400, { error: 'fake provider refused the request', problems: found }) : spec.ok(r);
      } else {
        reply = (spec.failures?.[state.mode] ?? GENERIC[state.mode])(r);
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    get mode() { return state.mode; },
    set mode(m: FakeMode) { state.mode = m; },
    received,
    problems,
    hanging: () => [...hung].filter((r) => !r.writableEnded && !r.destroyed).length,
    stop: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Small assertion helpers that collect problems instead of throwing inside the server. */
export function expectEq(problems: string[], what: string, got: unknown, want: unknown): void {
  if (got !== want) problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

export function expectJsonPost(req: ReceivedRequest, path: string): string[] {
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

export { json as jsonReply };
