// Metrics ingest with group commit: requests arriving within one flush window share
// one transaction, and each request is answered only after its rows are committed —
// throughput of a batch writer, durability of a synchronous one.
import { metrics, type Db, type DialectName } from '@breakwater/db';

export interface IngestDeps {
  db: Db;
  dialect: DialectName;
  flushMs: number;
  onError: (err: unknown) => void;
}

interface Pending {
  rows: metrics.MetricRow[];
  latest: metrics.LatestSample[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

export class MetricsIngest {
  readonly #deps: IngestDeps;
  #pending: Pending = { rows: [], latest: [], waiters: [] };
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #busy = false;
  #flushing: Promise<void> = Promise.resolve();
  /** Minute starts that received samples since the last roll-up. */
  readonly dirtyMinutes = new Set<number>();

  constructor(deps: IngestDeps) {
    this.#deps = deps;
  }

  submit(rows: metrics.MetricRow[], latest: metrics.LatestSample): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = this.#pending;
      for (const r of rows) p.rows.push(r);
      p.latest.push(latest);
      p.waiters.push({ resolve, reject });
      // While a flush runs, new rows wait for it and then go together: the batch grows
      // with the load by itself, so no fixed window has to be paid at low load.
      if (!this.#timer && !this.#busy) this.#schedule();
    });
  }

  #schedule(): void {
    this.#timer = this.#deps.flushMs > 0 ? setTimeout(() => this.#flush(), this.#deps.flushMs) : setImmediate(() => this.#flush());
  }

  /** Writes whatever is pending now; used at shutdown and before roll-ups. */
  async drain(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#flush();
    }
    await this.#flushing;
  }

  #flush(): void {
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = { rows: [], latest: [], waiters: [] };
    // Flushes run one after another so a node's rows are committed in arrival order.
    this.#busy = true;
    this.#flushing = this.#flushing.then(async () => {
      try {
        const latest = newestPerNode(batch.latest);
        await this.#deps.db.transaction().execute(async (tx) => {
          await metrics.insertMetrics(tx, dedupe(batch.rows), this.#deps.dialect);
          await metrics.applyLatestSamples(tx, latest, this.#deps.dialect);
        });
        for (const r of batch.rows) this.dirtyMinutes.add(r.ts - (r.ts % 60_000));
        for (const w of batch.waiters) w.resolve();
      } catch (err) {
        this.#deps.onError(err);
        for (const w of batch.waiters) w.reject(err);
      } finally {
        this.#busy = false;
        if (this.#pending.waiters.length > 0 && !this.#timer) this.#schedule();
      }
    });
  }
}

function newestPerNode(samples: metrics.LatestSample[]): metrics.LatestSample[] {
  const m = new Map<number, metrics.LatestSample>();
  for (const s of samples) {
    const cur = m.get(s.nodeId);
    if (!cur || cur.ts <= s.ts) m.set(s.nodeId, s);
  }
  return [...m.values()];
}

/** PostgreSQL refuses one INSERT … ON CONFLICT touching the same key twice. */
function dedupe(rows: metrics.MetricRow[]): metrics.MetricRow[] {
  const seen = new Map<string, metrics.MetricRow>();
  for (const r of rows) seen.set(`${r.node_id}:${r.ts}`, r);
  return seen.size === rows.length ? rows : [...seen.values()];
}
