// The fleet's messages on the agent's WebSocket: log and metrics streams, file transfers.
// The server asks (stream.open, file.get, file.put…); this answers on the same socket. What
// a stream produces while the socket is backed up is dropped and counted, never queued
// without bound. When the socket goes, every stream stops and every transfer is abandoned.
import { FLEET_SERVER_MESSAGE_TYPES } from '@breakwater/contracts/plain';
import type { FleetAgentMessage, FleetServerMessage, LogLine, MetricsSnapshot } from '@breakwater/contracts';
import { AgentFiles } from './file-transfers.ts';
import { FileRefusal, FileRoots, type FileRootsOptions } from './file-roots.ts';
import { HostMetrics } from './host-metrics.ts';
import { followFile, followJournal, type LogSource } from './log-sources.ts';

/** The WebSocket as this module uses it (the command stream's). */
export interface FleetSocket {
  send(msg: FleetAgentMessage): boolean;
  readonly bufferedAmount: number;
}

export interface FleetChannelDeps {
  socket: FleetSocket;
  log: (m: string) => void;
  metrics?: HostMetrics;
  /** The traffic of the last whole second, when the agent has one. */
  traffic?: () => { pps: number; bps: number } | null;
  journalctl?: string;
  now?: () => number;
}

/** Past this many bytes waiting on the socket, log lines are dropped (and counted) instead of queued. */
const MAX_BACKLOG = 1024 * 1024;
const BATCH_MS = 50;
const MAX_STREAMS = 8;
const TYPES = new Set<string>(FLEET_SERVER_MESSAGE_TYPES);

export function isFleetMessage(msg: { type?: unknown }): msg is FleetServerMessage {
  return typeof msg.type === 'string' && TYPES.has(msg.type);
}

export class FleetChannel {
  readonly #d: FleetChannelDeps;
  readonly #roots: FileRoots;
  readonly #files: AgentFiles;
  readonly #metrics: HostMetrics;
  readonly #streams = new Map<string, () => void>();

  constructor(roots: FileRootsOptions, deps: FleetChannelDeps) {
    this.#d = deps;
    this.#roots = new FileRoots(roots);
    this.#metrics = deps.metrics ?? new HostMetrics();
    this.#files = new AgentFiles(this.#roots, (m) => this.#send(m), deps.log);
  }

  get streams(): number {
    return this.#streams.size;
  }

  #send(m: FleetAgentMessage): boolean {
    return this.#d.socket.send(m);
  }

  handle(msg: FleetServerMessage): void {
    if (msg.type === 'stream.open') void this.#openStream(msg);
    else if (msg.type === 'stream.close') this.#closeStream(msg.stream_id);
    else this.#files.handle(msg);
  }

  /** The socket went away: nothing opened on it goes on. */
  disconnected(): void {
    for (const id of [...this.#streams.keys()]) this.#closeStream(id);
    void this.#files.abortAll();
  }

  #closeStream(id: string): void {
    const stop = this.#streams.get(id);
    this.#streams.delete(id);
    stop?.();
  }

  async #openStream(msg: Extract<FleetServerMessage, { type: 'stream.open' }>): Promise<void> {
    const id = msg.stream_id;
    const refuse = (code: FileRefusal['code'], message: string) => this.#send({ type: 'stream.end', stream_id: id, code, message });
    if (this.#streams.size >= MAX_STREAMS) return void refuse('unavailable', `this agent already serves ${MAX_STREAMS} streams`);
    const ended = (why: string) => {
      if (!this.#streams.has(id)) return;
      this.#closeStream(id);
      this.#send({ type: 'stream.end', stream_id: id, message: why });
    };
    try {
      if (msg.kind === 'metrics') {
        this.#streams.set(id, this.#metricsStream(id, Math.max(1000, msg.interval_ms)));
      } else {
        const batcher = this.#batcher(id);
        let source: LogSource;
        if (msg.source === 'journald') source = followJournal(msg.unit ?? '', batcher.push, { journalctl: this.#d.journalctl, onEnd: ended });
        else source = await followFile(this.#roots, msg.path ?? '', batcher.push, { onEnd: ended });
        this.#streams.set(id, () => {
          source.stop();
          batcher.stop();
        });
        this.#d.log(`log stream opened: ${msg.source === 'journald' ? `unit ${msg.unit}` : msg.path}`);
      }
      this.#send({ type: 'stream.started', stream_id: id });
    } catch (err) {
      const r = err instanceof FileRefusal ? err : new FileRefusal('io_error', (err as Error).message);
      refuse(r.code, r.message);
    }
  }

  /** Lines go out in small batches; while the socket is backed up they are counted as dropped. */
  #batcher(id: string): { push: (lines: LogLine[]) => void; stop: () => void } {
    let pending: LogLine[] = [];
    let dropped = 0;
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      if (pending.length === 0 && dropped === 0) return;
      if (this.#d.socket.bufferedAmount > MAX_BACKLOG) {
        dropped += pending.length;
        pending = [];
        return;
      }
      this.#send({ type: 'stream.lines', stream_id: id, lines: pending, ...(dropped ? { dropped } : {}) });
      pending = [];
      dropped = 0;
    };
    return {
      push: (lines) => {
        for (const l of lines) {
          if (pending.length >= 1000) dropped++;
          else pending.push(l);
        }
        timer ??= setTimeout(flush, BATCH_MS);
      },
      stop: () => {
        if (timer) clearTimeout(timer);
      },
    };
  }

  #metricsStream(id: string, intervalMs: number): () => void {
    const now = this.#d.now ?? Date.now;
    const tick = async () => {
      const host = await this.#metrics.sample();
      if (!this.#streams.has(id)) return;
      const snapshot: MetricsSnapshot = { ts: now(), host, traffic: this.#d.traffic?.() ?? null };
      this.#send({ type: 'stream.metrics', stream_id: id, snapshot });
    };
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
