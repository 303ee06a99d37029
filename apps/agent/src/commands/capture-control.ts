// capture_start / capture_stop: one operator-asked packet capture at a time, tcpdump on the
// agent's interface into its pcap_dir, its filter built from the typed host and port only, and
// bounded by duration and packet count whatever happens to capture_stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Outcome } from './executors.ts';

export interface CaptureRequest {
  duration: number;
  maxPackets: number;
  host: string | null;
  port: number | null;
}

export class CaptureControl {
  readonly #iface: string;
  readonly #dir: string;
  readonly #program: string;
  #running: { child: ChildProcess; file: string; timer: NodeJS.Timeout; closed: Promise<number | null> } | null = null;

  constructor(o: { iface: string; dir: string; program?: string }) {
    this.#iface = o.iface;
    this.#dir = o.dir;
    this.#program = o.program ?? 'tcpdump';
  }

  async start(commandId: number, r: CaptureRequest): Promise<Outcome> {
    if (this.#running) return { status: 'rejected', error: `a capture is already running (${this.#running.file}); stop it first` };
    const filter: string[] = [];
    if (r.host !== null) {
      if (isIP(r.host) === 0) return { status: 'failed', error: 'host: not an IP address' };
      filter.push('host', r.host);
    }
    if (r.port !== null) filter.push(...(filter.length ? ['and'] : []), 'port', String(r.port));
    const file = join(this.#dir, `manual-${commandId}.pcap`);
    const child = spawn(this.#program, ['-i', this.#iface, '-s', '128', '-U', '-n', '-c', String(r.maxPackets), '-w', file, ...filter], { shell: false, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const closed = new Promise<number | null>((res) => {
      child.once('close', (code) => res(code));
      child.once('error', (e) => {
        err += e.message;
        res(null);
      });
    });
    // Started means tcpdump says it is listening (or it died trying).
    const listening = await Promise.race([
      new Promise<boolean>((res) => child.stderr.on('data', () => (/listening on/.test(err) ? res(true) : undefined))),
      closed.then(() => false),
      new Promise<boolean>((res) => setTimeout(() => res(true), 5000).unref()),
    ]);
    if (!listening) return { status: 'failed', error: `capture did not start: ${err.trim().slice(-500)}` };
    const timer = setTimeout(() => void this.stop(), r.duration * 1000);
    timer.unref();
    this.#running = { child, file, timer, closed };
    void closed.then(() => {
      if (this.#running?.child === child) {
        clearTimeout(timer);
        this.#running = null;
      }
    });
    return { status: 'applied', error: null, output: `capturing on ${this.#iface} into ${file} for at most ${r.duration} s or ${r.maxPackets} packets` };
  }

  async stop(): Promise<Outcome> {
    const r = this.#running;
    if (!r) return { status: 'applied', error: null, output: 'no capture was running' };
    this.#running = null;
    clearTimeout(r.timer);
    r.child.kill('SIGINT');
    const kill = setTimeout(() => r.child.kill('SIGKILL'), 5000);
    await r.closed;
    clearTimeout(kill);
    let bytes = 0;
    try {
      bytes = statSync(r.file).size;
    } catch {
      // never written
    }
    return { status: 'applied', error: null, output: `capture stopped: ${r.file} (${bytes} bytes)` };
  }
}
