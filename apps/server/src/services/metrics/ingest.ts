// Metrics ingest with group commit: requests arriving between two flushes (started at least
// flushMs apart) share one atomic write — one statement on PostgreSQL, one transaction otherwise —
// and each request is answered only after its rows are committed: throughput of a batch writer,
// durability of a synchronous one.
import { metrics, type Db, type DialectName } from '@breakwater/db';

export interface IngestDeps {
  db: Db;
  dialect: DialectName;
  /** Flushes start at least this far apart (ms); 0: each as soon as the previous ends. */
  flushMs: number;
  /** The server's clock (when late samples were received). */
  now?: () => number;
  onError: (err: unknown) => void;
  /** Told after each committed flush (the server's Prometheus metrics). */
  observe?: (o: IngestObservation) => void;
}

/** One committed flush: rows written, time taken, and per request the commit time minus its newest sample's time. */
export interface IngestObservation {
  rows: number;
  seconds: number;
  lagSeconds: number[];
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
  #lastStart = -Infinity;
  #flushing: Promise<void> = Promise.resolve();
  /** Minute starts that received samples since the last roll-up. */
  readonly dirtyMinutes = new Set<number>();
  /** Hour starts whose minute roll-ups received late samples since the last roll-up. */
  readonly dirtyHours = new Set<number>();
  // Where each resolution still holds every row (set by the roll-up job, only ever raised):
  // raw samples from rawFloor (a minute start), minute roll-ups from minuteFloor (an hour
  // start). Older samples are merged into the finest roll-up that is still whole.
  #rawFloor = 0;
  #minuteFloor = 0;

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

  /**
   * A flush starts at once when the last one started flushMs ago or more, else when it has: at low
   * load a sample waits for nothing, under load flushes are spaced flushMs apart and each carries
   * everything that arrived meanwhile (each flush has a fixed cost: a statement, a commit, a round
   * trip to PostgreSQL, which with several replicas flushing tiny batches was most of the CPU).
   */
  #schedule(): void {
    const wait = this.#lastStart + this.#deps.flushMs - performance.now();
    this.#timer = wait > 0 ? setTimeout(() => this.#flush(), Math.ceil(wait)) : setImmediate(() => this.#flush());
  }

  /** Writes whatever is pending now (before roll-ups and series reads). */
  async drain(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#flush();
    }
    await this.#flushing;
  }

  /** Shutdown: what is pending is written. */
  async stop(): Promise<void> {
    await this.drain();
  }

  /**
   * Raises the floors (before the roll-up job deletes below them), then runs `after`, with
   * no flush in between: no raw row or minute merge can land below a floor once it is raised.
   */
  raiseFloors(rawFloor: number, minuteFloor: number, after: () => Promise<void>): Promise<void> {
    const run = this.#flushing.then(async () => {
      this.#rawFloor = Math.max(this.#rawFloor, rawFloor);
      this.#minuteFloor = Math.max(this.#minuteFloor, minuteFloor);
      await after();
    });
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  #flush(): void {
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = { rows: [], latest: [], waiters: [] };
    // Flushes run one after another so a node's rows are committed in arrival order.
    this.#busy = true;
    this.#flushing = this.#flushing.then(async () => {
      const t0 = performance.now();
      this.#lastStart = t0;
      try {
        const latest = newestPerNode(batch.latest);
        const raw: metrics.MetricRow[] = [];
        const late: metrics.MetricRow[] = [];
        for (const r of dedupe(batch.rows)) (r.ts >= this.#rawFloor ? raw : late).push(r);
        const { dialect } = this.#deps;
        const merged: metrics.MetricRow[] = [];
        if (dialect === 'postgres' && late.length === 0) {
          // The usual flush on PostgreSQL: one statement, atomic by itself (no BEGIN/COMMIT round trips).
          await metrics.storeFreshSamples(this.#deps.db, raw, latest);
        } else await this.#deps.db.transaction().execute(async (tx) => {
          await metrics.insertMetrics(tx, raw, dialect);
          if (late.length > 0) {
            const fresh = new Set((await metrics.claimLateSamples(tx, late, (this.#deps.now ?? Date.now)(), dialect)).map((k) => `${k.node_id}:${k.ts}`));
            for (const r of late) if (fresh.has(`${r.node_id}:${r.ts}`)) merged.push(r);
            const toMinutes = merged.filter((r) => r.ts >= this.#minuteFloor);
            await metrics.mergeIntoRollup(tx, 'metrics_1m', partialRollups(toMinutes, 60_000), dialect);
            await metrics.mergeIntoRollup(tx, 'metrics_1h', partialRollups(merged.filter((r) => r.ts < this.#minuteFloor), 3_600_000), dialect);
          }
          await metrics.applyLatestSamples(tx, latest, dialect);
        });
        for (const r of raw) this.dirtyMinutes.add(r.ts - (r.ts % 60_000));
        for (const r of merged) if (r.ts >= this.#minuteFloor) this.dirtyHours.add(r.ts - (r.ts % 3_600_000));
        if (this.#deps.observe) {
          const at = (this.#deps.now ?? Date.now)();
          this.#deps.observe({ rows: raw.length + merged.length, seconds: (performance.now() - t0) / 1000, lagSeconds: batch.latest.map((s) => (at - s.ts) / 1000) });
        }
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

/** Late samples grouped per node and bucket, aggregated as the roll-up job aggregates raw samples. */
export function partialRollups(rows: metrics.MetricRow[], bucketMs: number): metrics.RollupRow[] {
  const groups = new Map<string, metrics.MetricRow[]>();
  for (const r of rows) {
    const key = `${r.node_id}:${r.ts - (r.ts % bucketMs)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const avg = (g: metrics.MetricRow[], f: (r: metrics.MetricRow) => number | null) => {
    const v = g.map(f).filter((x): x is number => x !== null);
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
  };
  const max = (g: metrics.MetricRow[], f: (r: metrics.MetricRow) => number | null) => {
    const v = g.map(f).filter((x): x is number => x !== null);
    return v.length === 0 ? null : Math.max(...v);
  };
  return [...groups.values()].map((g) => ({
    node_id: g[0]!.node_id, ts: g[0]!.ts - (g[0]!.ts % bucketMs), samples: g.length,
    avg_pps: avg(g, (r) => r.pps)!, max_pps: max(g, (r) => r.pps)!, avg_bps: avg(g, (r) => r.bps)!, max_bps: max(g, (r) => r.bps)!,
    avg_tcp_pct: avg(g, (r) => r.tcp_pct), avg_udp_pct: avg(g, (r) => r.udp_pct), avg_icmp_pct: avg(g, (r) => r.icmp_pct),
    max_conn_count: max(g, (r) => r.conn_count),
  }));
}
