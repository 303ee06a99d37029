// The simulated agents' HTTP/1.1 client: keep-alive sockets, each request one prebuilt string
// written at once, each response read by its status line and Content-Length. The bench measures
// the servers; a general-purpose client (undici's Pool) cost ~250 µs of this process's CPU per
// request, so at a few thousand requests a second the load generator took half the machine from
// the servers it was measuring. This one costs a fraction of that (the bench prints it).
import { connect, type Socket } from 'node:net';

export interface RawResult {
  status: number;
}

interface Conn {
  socket: Socket;
  busy: boolean;
  buf: string;
  done: ((r: RawResult | Error) => void) | null;
}

export class RawHttpPool {
  readonly #host: string;
  readonly #port: number;
  readonly #conns: Conn[] = [];
  readonly #idle: Conn[] = [];
  readonly #queue: { req: string; done: (r: RawResult | Error) => void }[] = [];
  readonly #max: number;

  constructor(url: string, connections: number) {
    const u = new URL(url);
    this.#host = u.hostname;
    this.#port = Number(u.port);
    this.#max = connections;
  }

  /** Sends one POST; resolves with the status once the whole response has arrived. */
  post(path: string, headers: string, body: string): Promise<RawResult> {
    const req = `POST ${path} HTTP/1.1\r\nhost: ${this.#host}:${this.#port}\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve, reject) => {
      const done = (r: RawResult | Error) => (r instanceof Error ? reject(r) : resolve(r));
      const c = this.#idle.pop() ?? (this.#conns.length < this.#max ? this.#open() : null);
      if (c) this.#send(c, req, done);
      else this.#queue.push({ req, done });
    });
  }

  close(): void {
    for (const c of this.#conns) c.socket.destroy();
    this.#conns.length = 0;
    this.#idle.length = 0;
  }

  #open(): Conn {
    const socket = connect({ host: this.#host, port: this.#port, noDelay: true });
    socket.setEncoding('latin1');
    const c: Conn = { socket, busy: false, buf: '', done: null };
    socket.on('data', (d: string) => {
      c.buf += d;
      this.#parse(c);
    });
    const fail = (err: Error) => {
      const i = this.#conns.indexOf(c);
      if (i >= 0) this.#conns.splice(i, 1);
      const j = this.#idle.indexOf(c);
      if (j >= 0) this.#idle.splice(j, 1);
      c.done?.(err);
      c.done = null;
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.#conns.push(c);
    return c;
  }

  #send(c: Conn, req: string, done: (r: RawResult | Error) => void): void {
    c.busy = true;
    c.done = done;
    c.socket.write(req, 'latin1');
  }

  #parse(c: Conn): void {
    const head = c.buf.indexOf('\r\n\r\n');
    if (head < 0) return;
    const m = /content-length:\s*(\d+)/i.exec(c.buf.slice(0, head));
    if (!m) {
      c.done?.(new Error(`response without content-length: ${c.buf.slice(0, 80)}`));
      c.socket.destroy();
      return;
    }
    const end = head + 4 + Number(m[1]);
    if (c.buf.length < end) return;
    const status = Number(c.buf.slice(9, 12));
    c.buf = c.buf.slice(end);
    const done = c.done;
    c.done = null;
    c.busy = false;
    const next = this.#queue.shift();
    if (next) this.#send(c, next.req, next.done);
    else this.#idle.push(c);
    done?.({ status });
  }
}
