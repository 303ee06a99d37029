// The base of the local stand-ins for the mitigation providers (Cloudflare, Radware Vision, F5
// BIG-IP, a webhook receiver): a loopback node:http server that records each request, asks the
// vendor's spec to check and answer it, and can be told to fail, hang, or go away and come back
// on the same port (the contract suite's killSpeaker/restartSpeaker).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers: as the vendor would, or with one of the failures adapters must classify. */
export type FakeMode = 'ok' | 'server_error' | 'rate_limited' | 'unauthorized' | 'hang';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fakes read vendor JSON whose shape they are there to check
  json: any;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface VendorSpec {
  /** The vendor's answer to a request in 'ok' mode; pushes what it refuses onto `problems`. */
  handle(req: FakeRequest, problems: string[]): FakeReply;
  /** The vendor's reply in a failure mode (its error envelope). */
  failure(mode: Exclude<FakeMode, 'ok' | 'hang'>, req: FakeRequest): FakeReply;
}

export interface HttpFake {
  /** http://127.0.0.1:port */
  url: string;
  mode: FakeMode;
  readonly received: FakeRequest[];
  /** Requests the fake refused as the vendor would (wrong path, header, body): a correct adapter leaves this empty. */
  readonly problems: string[];
  /** Closes the listener and every connection: the provider is unreachable. */
  kill(): Promise<void>;
  /** Listens again on the same port, with the same state (the provider came back). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply =>
  ({ status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });

export async function startHttpFake(spec: VendorSpec): Promise<HttpFake> {
  const received: FakeRequest[] = [];
  const problems: string[] = [];
  const hung = new Set<ServerResponse>();
  const state = { mode: 'ok' as FakeMode, port: 0 };
  let server: Server | null = null;

  const open = async (port: number) => {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = body ? JSON.parse(body) : null; } catch { /* the spec reports it */ }
        const r: FakeRequest = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body, json };
        received.push(r);
        if (state.mode === 'hang') { hung.add(res); return; }
        let reply: FakeReply;
        try {
          reply = state.mode === 'ok' ? spec.handle(r, problems) : spec.failure(state.mode, r);
        } catch (err) {
          problems.push(`fake crashed on ${r.method} ${r.path}: ${String(err)}`);
          reply = jsonReply(500, { error: 'fake crashed' });
        }
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
    state.port = (s.address() as AddressInfo).port;
  };

  const close = async () => {
    const s = server;
    if (!s) return;
    server = null;
    for (const r of hung) r.destroy();
    hung.clear();
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await open(0);
  return {
    get url() { return `http://127.0.0.1:${state.port}`; },
    get mode() { return state.mode; },
    set mode(m: FakeMode) { state.mode = m; },
    received,
    problems,
    kill: close,
    restart: () => open(state.port),
    stop: close,
  };
}

/** Collects a problem when `got` differs from `want`, instead of throwing inside the server. */
export function expectEq(problems: string[], what: string, got: unknown, want: unknown): boolean {
  if (got === want) return true;
  problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  return false;
}

/** A JSON body with the JSON content type, as every vendor here documents for writes. */
export function expectJsonBody(problems: string[], req: FakeRequest): boolean {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json')) { problems.push(`${req.method} ${req.path}: content-type ${JSON.stringify(ct)}, want application/json`); return false; }
  if (req.json === null || typeof req.json !== 'object') { problems.push(`${req.method} ${req.path}: body is not a JSON object`); return false; }
  return true;
}
