// The local Prometheus endpoint of a reporting process (agent, collector): GET /metrics on
// one address, nothing else. Off unless configured; it serves no credentials and no
// traffic details beyond counts, and is meant for a loopback or management address.
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';

export interface MetricsEndpointConfig {
  /** "ADDR:PORT" or "[v6]:PORT"; port 0 picks a free one. */
  listen: string;
}

export interface MetricsEndpointDeps {
  /** The exposition text and its content type, built at each scrape. */
  render: () => Promise<{ contentType: string; body: string }>;
  log?: (msg: string) => void;
}

const LISTEN = /^\[?([^\]]*?)\]?:(\d{1,5})$/;

/** Why `text` is not a listen address, or null when it is one. */
export function metricsListenProblem(text: unknown): string | null {
  const m = typeof text === 'string' ? LISTEN.exec(text) : null;
  if (!m || isIP(m[1]!) === 0 || Number(m[2]) > 65535) return 'must be ADDR:PORT with an IPv4 or IPv6 address (e.g. "127.0.0.1:9101")';
  return null;
}

export class MetricsEndpoint {
  readonly #config: MetricsEndpointConfig;
  readonly #deps: MetricsEndpointDeps;
  #server: Server | null = null;

  constructor(config: MetricsEndpointConfig, deps: MetricsEndpointDeps) {
    const problem = metricsListenProblem(config.listen);
    if (problem) throw new Error(`metrics_listen: ${problem}, got ${JSON.stringify(config.listen)}`);
    this.#config = config;
    this.#deps = deps;
  }

  /** The bound URL (http://ADDR:PORT), once started. */
  get url(): string | null {
    const a = this.#server?.address();
    if (!a || typeof a === 'string') return null;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async start(): Promise<void> {
    const [, address, port] = LISTEN.exec(this.#config.listen)!;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only GET /metrics is served here\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed: GET /metrics\n');
        return;
      }
      this.#deps.render().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
        (err: unknown) => {
          this.#deps.log?.(`metrics: ${(err as Error).message}`);
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(port), address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#deps.log?.(`metrics on ${this.url}/metrics`);
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
