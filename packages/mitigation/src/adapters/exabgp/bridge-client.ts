// The adapter's side of the bridge: one connection, one command in flight at a time (the
// bridge answers in order), each answered by ExaBGP's ack or failed at the deadline.
import { createConnection, type Socket } from 'node:net';
import { AdapterError } from '../../adapter.ts';

export interface Ack { ok: boolean; output: string[] }

export function endpointOptions(endpoint: string): { path: string } | { host: string; port: number } {
  if (typeof endpoint === 'string' && endpoint.startsWith('/')) return { path: endpoint };
  const m = typeof endpoint === 'string' ? /^tcp:(127\.0\.0\.1|::1):(\d{1,5})$/.exec(endpoint) : null;
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw AdapterError.about('endpoint', 'must be the bridge\'s unix socket path ("/run/breakwater/exabgp.sock") or "tcp:127.0.0.1:PORT"');
  return { host: m[1]!, port: Number(m[2]) };
}

export class BridgeClient {
  private sock: Socket | null = null;
  private buf = '';
  private waiting: { resolve: (a: Ack) => void; reject: (e: Error) => void } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly endpoint: string;
  private readonly timeoutMs: number;

  constructor(endpoint: string, timeoutMs: number) {
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
  }

  private connect(): Promise<Socket> {
    if (this.sock && !this.sock.destroyed) return Promise.resolve(this.sock);
    return new Promise((resolve, reject) => {
      const s = createConnection(endpointOptions(this.endpoint));
      const timer = setTimeout(() => { s.destroy(); reject(new AdapterError(`exabgp bridge ${this.endpoint}: no connection within ${this.timeoutMs} ms`, true)); }, this.timeoutMs);
      s.setEncoding('utf8');
      s.once('connect', () => { clearTimeout(timer); this.sock = s; this.buf = ''; resolve(s); });
      s.on('error', (e) => {
        clearTimeout(timer);
        reject(new AdapterError(`exabgp bridge ${this.endpoint}: ${e.message}`, true));
        this.fail(new AdapterError(`exabgp bridge ${this.endpoint}: ${e.message}`, true));
      });
      s.on('close', () => { if (this.sock === s) this.sock = null; this.fail(new AdapterError('exabgp bridge closed the connection before ExaBGP acknowledged', true)); });
      s.on('data', (d: string) => this.onData(d));
    });
  }

  private fail(err: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }

  private onData(d: string): void {
    this.buf += d;
    let i;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      let msg: { type?: unknown; ok?: unknown; output?: unknown };
      try { msg = JSON.parse(line) as typeof msg; } catch { continue; }
      if (msg.type !== 'ack' || !this.waiting) continue; // events are not needed here
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ ok: msg.ok === true, output: Array.isArray(msg.output) ? msg.output.filter((x): x is string => typeof x === 'string') : [] });
    }
  }

  /** Sends one command and resolves with ExaBGP's ack (ok false = ExaBGP said "error"). */
  send(command: string): Promise<Ack> {
    if (/[\r\n]/.test(command)) return Promise.reject(new AdapterError('exabgp: a command must be one line', false));
    const run = async (): Promise<Ack> => {
      const s = await this.connect();
      return new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting = null;
          // A late ack would be taken for the next command's: start over on a new connection.
          s.destroy();
          reject(new AdapterError(`exabgp: no ack for "${command.slice(0, 80)}" within ${this.timeoutMs} ms`, true));
        }, this.timeoutMs);
        this.waiting = {
          resolve: (a) => { clearTimeout(timer); resolve(a); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        };
        s.write(`${command}\n`);
      });
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.sock?.destroy();
    this.sock = null;
  }
}
