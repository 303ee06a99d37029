// A persistent session on BIRD's control socket (the protocol birdc speaks: one command per
// line; reply lines start with a 4-digit code, "-" after it when more lines follow, a space on
// the last). One query costs well under a millisecond, against ~5 ms for spawning birdc, so the
// moment a route appears is seen to within a poll interval.
import { connect, type Socket } from 'node:net';

export class BirdWatch {
  readonly #socket: Socket;
  #buffer = '';
  #waiting: ((reply: string) => void) | null = null;
  #reply: string[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
  }

  static async open(path: string): Promise<BirdWatch> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    const w = new BirdWatch(socket);
    await w.#next(); // the "0001 BIRD … ready." greeting
    return w;
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      this.#reply.push(line);
      if (/^\d{4} /.test(line) || /^\d{4}$/.test(line)) {
        const done = this.#reply.join('\n');
        this.#reply = [];
        const w = this.#waiting;
        this.#waiting = null;
        w?.(done);
      }
    }
  }

  #next(): Promise<string> {
    return new Promise((resolve) => { this.#waiting = resolve; });
  }

  async command(text: string): Promise<string> {
    const reply = this.#next();
    this.#socket.write(`${text}\n`);
    return reply;
  }

  /** True when the upstream's table holds a route for exactly this prefix. */
  async has(prefix: string, table = 'master4'): Promise<boolean> {
    const out = await this.command(`show route ${prefix} table ${table}`);
    return out.split('\n').some((l) => l.replace(/^\d{4}[- ]/, '').trim().startsWith(`${prefix} `));
  }

  close(): void {
    this.#socket.destroy();
  }
}
