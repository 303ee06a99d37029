// A tiny TCP load balancer for the multi-replica tests, as an operator would put in front of the
// replicas: each new connection goes to the next backend in turn, skipping those that refuse it
// (a killed replica). `pin` sends the next connection to a chosen backend.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export class TcpBalancer {
  readonly #backends: { host: string; port: number }[];
  readonly #open = new Set<Socket>();
  #server: Server | null = null;
  #next = 0;
  #pinned: number | null = null;
  url = '';
  /** The backend each accepted connection went to, in order. */
  readonly routed: number[] = [];

  constructor(backendUrls: string[]) {
    this.#backends = backendUrls.map((u) => {
      const url = new URL(u);
      return { host: url.hostname, port: Number(url.port) };
    });
  }

  pin(index: number): void {
    this.#pinned = index;
  }

  async start(): Promise<this> {
    this.#server = createServer((client) => this.#accept(client));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  #accept(client: Socket): void {
    client.pause();
    this.#open.add(client);
    client.once('close', () => this.#open.delete(client));
    client.on('error', () => client.destroy());
    const first = this.#pinned ?? this.#next++ % this.#backends.length;
    this.#pinned = null;
    const attempt = (tried: number) => {
      if (tried >= this.#backends.length) {
        client.destroy();
        return;
      }
      const i = (first + tried) % this.#backends.length;
      const b = this.#backends[i]!;
      const up = connect(b.port, b.host);
      const refused = () => attempt(tried + 1);
      up.once('error', refused);
      up.once('connect', () => {
        up.off('error', refused);
        this.routed.push(i);
        this.#open.add(up);
        up.once('close', () => {
          this.#open.delete(up);
          client.destroy();
        });
        client.once('close', () => up.destroy());
        up.on('error', () => up.destroy());
        client.pipe(up).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  }

  async stop(): Promise<void> {
    for (const s of this.#open) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }
}
