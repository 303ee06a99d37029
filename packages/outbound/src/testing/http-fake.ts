// The recording HTTP fake every outbound caller's tests run against (mitigation providers,
// notification channels, and scrubbing and runbook webhooks to come): a loopback node:http server
// that records each request, asks the provider's spec to check and answer it, and can be told to
// fail, hang, or go away and come back on the same port.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers: as the provider would, or with one of the failures callers must classify. */
export type FakeMode = 'ok' | 'server_error' | 'rate_limited' | 'bad_request' | 'unauthorized' | 'hang';
export type FailureMode = Exclude<FakeMode, 'ok' | 'hang'>;

export interface FakeRequest {
  method: string;
  /** The path, percent-decoded. */
  path: string;
  /** The path exactly as sent, percent-encoding kept (signed URLs cover it; an encoded "/" stays apart). */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fakes read provider JSON whose shape they are there to check
  json: any;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface VendorSpec {
  /** The provider's answer to a request in 'ok' mode; pushes what it refuses onto `problems`. */
  handle(req: FakeRequest, problems: string[]): FakeReply;
  /** The provider's reply in a failure mode (its error envelope). */
  failure(mode: FailureMode, req: FakeRequest): FakeReply;
}

/** What a shared contract suite needs of any recording fake (HTTP here; SMTP in notify). */
export interface FakeServer<R> {
  /** host:port */
  host: string;
  mode: FakeMode;
  readonly received: R[];
  /** Requests the fake refused as the provider would (wrong path, header, body): a correct caller leaves this empty. */
  readonly problems: string[];
  /** Requests (or connections) left without an answer in hang mode. */
  hanging(): number;
  stop(): Promise<void>;
}

export interface HttpFake extends FakeServer<FakeRequest> {
  /** http://127.0.0.1:port */
  url: string;
  /** Closes the listener and every connection: the provider is unreachable. */
  kill(): Promise<void>;
  /** Listens again on the same port, with the same state (the provider came back). */
  restart(): Promise<void>;
  /** The next requests get these replies, one each, in order, whatever they ask (a 429 with Retry-After, an outage of n requests). */
  script(...replies: FakeReply[]): void;
  /** Scripted replies not used yet. */
  scripted(): number;
}

export const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply =>
  ({ status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });

/**
 * What some proxies (and some providers) send back in an error: the request as it arrived, headers
 * included. A caller that showed a provider's body would show the credential; suites check it does not.
 */
export function echoOf(req: FakeRequest): Record<string, unknown> {
  return { method: req.method, path: req.path, headers: req.headers, body: req.body };
}

export async function startHttpFake(spec: VendorSpec): Promise<HttpFake> {
  const queue: FakeReply[] = [];
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
        const r: FakeRequest = { method: req.method ?? '', path: decodeURIComponent(url.pathname), rawPath: url.pathname, query: url.searchParams, headers: req.headers, body, json };
        received.push(r);
        const next = queue.shift();
        if (next) { res.writeHead(next.status, next.headers ?? {}); res.end(next.body ?? ''); return; }
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
    get host() { return `127.0.0.1:${state.port}`; },
    get mode() { return state.mode; },
    set mode(m: FakeMode) { state.mode = m; },
    received,
    problems,
    hanging: () => [...hung].filter((r) => !r.writableEnded && !r.destroyed).length,
    kill: close,
    restart: () => open(state.port),
    script(...replies: FakeReply[]) { queue.push(...replies); },
    scripted: () => queue.length,
    stop: close,
  };
}
