// WAL checkpoints off the server's event loop. SQLite checkpoints on the connection that commits
// once the WAL passes 1000 pages: with node:sqlite that is the server's one thread, which then
// copies megabytes into the database file while every request waits (bench/ingest: p99 spikes
// past 50 ms from ~8,000 agents on). Here a worker thread with its own connection runs a PASSIVE
// checkpoint every `intervalMs` (it never blocks the writer: it copies what no reader still needs),
// and the server's connection checkpoints by itself only past `fallbackPages` — should the worker
// ever stop keeping up.
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  path: string;
  intervalMs?: number;
}

export interface CheckpointStats {
  /** Checkpoints the worker ran. */
  runs: number;
  /** Frames in the WAL and frames copied back by the last one (equal: the WAL was caught up). */
  logFrames: number;
  checkpointed: number;
  /** The last error the worker met (it keeps going), if any. */
  error: string | null;
}

/** Pages (4 KiB) past which the writing connection checkpoints by itself. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 16_384;

const WORKER = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 1000');
const stmt = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const run = () => {
  try {
    const r = stmt.get();
    parentPort.postMessage({ log: Number(r.log), checkpointed: Number(r.checkpointed), busy: Number(r.busy) });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'now') run();
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

export class SqliteCheckpointer {
  readonly #o: Required<CheckpointerOptions>;
  #worker: Worker | null = null;
  readonly #stats: CheckpointStats = { runs: 0, logFrames: 0, checkpointed: 0, error: null };

  constructor(o: CheckpointerOptions) {
    const intervalMs = o.intervalMs ?? 1000;
    if (!Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 600_000) throw new Error(`intervalMs: must be an integer from 10 to 600000, got ${intervalMs}`);
    this.#o = { path: o.path, intervalMs };
  }

  start(): void {
    if (this.#worker) return;
    const w = new Worker(WORKER, { eval: true, workerData: { path: this.#o.path, intervalMs: this.#o.intervalMs } });
    w.on('message', (m: { log?: number; checkpointed?: number; error?: string }) => {
      if (m.error !== undefined) {
        this.#stats.error = m.error;
        return;
      }
      this.#stats.runs++;
      this.#stats.logFrames = m.log ?? 0;
      this.#stats.checkpointed = m.checkpointed ?? 0;
    });
    w.on('error', (err) => {
      this.#stats.error = err.message;
    });
    w.unref();
    this.#worker = w;
  }

  /** Asks for a checkpoint now (tests; the timer runs them anyway). */
  poke(): void {
    this.#worker?.postMessage('now');
  }

  stats(): CheckpointStats {
    return { ...this.#stats };
  }

  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage('stop');
    const timer = setTimeout(() => void w.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
