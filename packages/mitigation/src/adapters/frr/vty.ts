// A persistent session on an FRR daemon's vty socket (<vty_socket dir>/<daemon>.vty), the unix
// socket vtysh itself talks to. The protocol (FRR lib/vty.c, vtysh_read): the client sends each
// command terminated by a NUL byte; the daemon runs it and answers with the command's output
// followed by three NUL bytes and one status byte (0 = CMD_SUCCESS; anything else is a warning or
// an error, and the output then holds FRR's "% …" message). A new session starts in VIEW_NODE;
// "enable" moves it to ENABLE_NODE without a password on this socket, and "configure terminal"
// from there to CONFIG_NODE. Spawning vtysh costs ~40 ms per run; a command here, well under one.
//
// Anything the socket sends is only ever parsed, never trusted: a reply that never ends runs
// into the deadline, bytes arriving when no command is waiting end the session (it is then out
// of step), and every failure is an AdapterError; nothing thrown escapes from socket events.
import { connect, type Socket } from 'node:net';
import { AdapterError } from '../../adapter.ts';

export interface VtyReply { status: number; output: string }

/** FRR's CMD_* codes, for messages. */
const STATUS: Record<number, string> = {
  1: 'warning', 2: 'unknown command', 3: 'ambiguous command', 4: 'incomplete command', 5: 'too many arguments',
  6: 'nothing to do', 13: 'configuration failed', 14: 'not this instance', 15: 'no level up', 16: 'no such daemon',
};
export const statusText = (s: number) => (s === 0 ? 'success' : STATUS[s] ?? `status ${s}`);

const TERMINATOR = Buffer.from([0, 0, 0]);

/** Splits a byte stream into replies. Returns the complete replies and what is left over. */
export function splitReplies(buf: Buffer): { replies: VtyReply[]; rest: Buffer } {
  const replies: VtyReply[] = [];
  let start = 0;
  for (;;) {
    const at = buf.indexOf(TERMINATOR, start);
    if (at < 0 || at + 3 >= buf.length) break;
    replies.push({ output: buf.subarray(start, at).toString('utf8'), status: buf[at + 3]! });
    start = at + 4;
  }
  return { replies, rest: buf.subarray(start) };
}

/** A session that turned out dead before it answered anything: worth one retry on a new one. */
class StaleSession extends AdapterError {}

interface Pending { resolve: (r: VtyReply) => void; reject: (e: AdapterError) => void; timer: NodeJS.Timeout }

/** One connection. Commands are sent one at a time (the caller serialises); closed for good on any fault. */
export class VtyConnection {
  readonly #socket: Socket;
  readonly #path: string;
  #rest: Buffer = Buffer.alloc(0);
  #pending: Pending | null = null;
  #closed: AdapterError | null = null;

  private constructor(socket: Socket, path: string) {
    this.#socket = socket;
    this.#path = path;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(new AdapterError(`vty ${path}: ${err.message}`, true)));
    socket.on('close', () => this.#fail(new AdapterError(`vty ${path}: bgpd closed the session`, true)));
  }

  static open(path: string, timeoutMs: number): Promise<VtyConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const timer = setTimeout(() => { socket.destroy(); reject(new AdapterError(`vty ${path}: no connection within ${timeoutMs} ms`, true)); }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new VtyConnection(socket, path));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new AdapterError(`vty ${path}: cannot reach bgpd (${err.code ?? err.message})`, true));
      });
    });
  }

  get closed(): boolean { return this.#closed !== null; }

  #onData(chunk: Buffer): void {
    this.#rest = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : chunk;
    const { replies, rest } = splitReplies(this.#rest);
    this.#rest = rest;
    // A reply nobody asked for means the session and this side disagree: drop it.
    if (replies.length > 1 || (replies.length === 1 && !this.#pending)) {
      this.#fail(new AdapterError(`vty ${this.#path}: reply out of step with the commands sent; session dropped`, true));
      return;
    }
    if (!this.#pending && this.#rest.length) {
      this.#fail(new AdapterError(`vty ${this.#path}: unexpected bytes from bgpd; session dropped`, true));
      return;
    }
    if (rest.length > 1 << 24) {
      this.#fail(new AdapterError(`vty ${this.#path}: reply over 16 MiB; session dropped`, false));
      return;
    }
    const p = this.#pending;
    if (p && replies.length === 1) {
      this.#pending = null;
      clearTimeout(p.timer);
      p.resolve(replies[0]!);
      // More bytes after the answer, before the next command was sent: out of step.
      if (this.#rest.length) this.#fail(new AdapterError(`vty ${this.#path}: unexpected bytes after a reply; session dropped`, true));
    }
  }

  #fail(err: AdapterError): void {
    if (!this.#closed) this.#closed = err;
    this.#socket.destroy();
    const p = this.#pending;
    this.#pending = null;
    if (p) { clearTimeout(p.timer); p.reject(err); }
  }

  /** Runs one command; the reply's status is the caller's to judge. Rejects only with AdapterError. */
  command(text: string, timeoutMs: number): Promise<VtyReply> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#pending) return Promise.reject(new AdapterError('vty: a command is already running on this session', false));
    if (/[\0]/.test(text)) return Promise.reject(new AdapterError('vty: a command may not hold a NUL byte', false));
    return new Promise<VtyReply>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new AdapterError(`vty ${this.#path}: no answer to "${text.slice(0, 80)}" within ${timeoutMs} ms; session dropped`, true)), timeoutMs);
      this.#pending = { resolve, reject, timer };
      this.#socket.write(`${text}\0`);
    });
  }

  close(): void {
    this.#fail(new AdapterError(`vty ${this.#path}: session closed`, true));
  }
}

/**
 * The session an adapter keeps: opened on first use, in ENABLE_NODE between batches, opened again
 * when bgpd has gone away (a restarted bgpd closes the socket; the next batch reconnects).
 */
export class VtySession {
  readonly #path: string;
  readonly #timeoutMs: number;
  #conn: VtyConnection | null = null;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(path: string, timeoutMs: number) {
    this.#path = path;
    this.#timeoutMs = timeoutMs;
  }

  async #connection(): Promise<{ conn: VtyConnection; fresh: boolean }> {
    if (this.#conn && !this.#conn.closed) return { conn: this.#conn, fresh: false };
    this.#conn = null;
    const conn = await VtyConnection.open(this.#path, this.#timeoutMs);
    const r = await conn.command('enable', this.#timeoutMs);
    if (r.status !== 0) {
      conn.close();
      throw new AdapterError(`vty ${this.#path}: "enable" refused (${statusText(r.status)}): ${r.output.trim().slice(0, 200)}`, false);
    }
    this.#conn = conn;
    return { conn, fresh: true };
  }

  async #once(commands: string[]): Promise<{ output: string; sent: number }> {
    const { conn, fresh } = await this.#connection();
    let output = '';
    let sent = 0;
    try {
      for (const c of commands) {
        const r = await conn.command(c, this.#timeoutMs);
        sent++;
        output += r.output;
        const errors = r.output.split('\n').filter((l) => l.startsWith('%'));
        if (r.status !== 0 || errors.length) {
          throw new AdapterError(`bgpd refused "${c}" (${statusText(r.status)}): ${(errors.join(' ') || r.output).trim().slice(0, 400)}`, false);
        }
      }
    } catch (err) {
      // Whatever node the failure left the session in, the next batch starts from ENABLE_NODE.
      if (!conn.closed) await conn.command('end', this.#timeoutMs).catch(() => undefined);
      if (err instanceof AdapterError && err.retryable && !fresh && sent === 0) throw new StaleSession(err.message, true);
      throw err;
    }
    if (commands[0] === 'configure terminal') await conn.command('end', this.#timeoutMs);
    return { output, sent };
  }

  /**
   * Runs the commands in order on the session, stopping at the first that FRR refuses (status
   * other than success, or a "%" line). A session found dead before its first command was
   * answered (bgpd restarted while it sat idle) is replaced once; the commands are idempotent.
   */
  run(commands: string[]): Promise<string> {
    const f = async () => {
      try {
        return (await this.#once(commands)).output;
      } catch (err) {
        if (err instanceof StaleSession) return (await this.#once(commands)).output;
        throw err;
      }
    };
    const p = this.#chain.then(f, f);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.#conn?.close();
    this.#conn = null;
  }
}
