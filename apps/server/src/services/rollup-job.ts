// Periodic roll-ups (raw → 1 m → 1 h) and retention. Only minutes that received
// samples are recomputed, so the cost follows the ingest rate, not the table size.
import { metrics, tokens, type Db } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import type { ServerConfig } from '../config.ts';
import type { MetricsIngest } from './ingest.ts';

export interface RollupDeps {
  db: Db;
  clock: Clock;
  config: ServerConfig;
  ingest: MetricsIngest;
  onError: (err: unknown) => void;
}

export class RollupJob {
  readonly #deps: RollupDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> = Promise.resolve();

  constructor(deps: RollupDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    // After a restart, redo the minutes since the last roll-up: the in-memory dirty set is gone.
    const last = await metrics.latestRollupTs(this.#deps.db, 'metrics_1m');
    const now = this.#deps.clock.now();
    const from = Math.max(last ?? now - 3_600_000, now - this.#deps.config.retention.rawHours * 3_600_000);
    for (let m = from - (from % 60_000); m <= now; m += 60_000) this.#deps.ingest.dirtyMinutes.add(m);
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => this.runOnce()).catch(this.#deps.onError);
    }, this.#deps.config.rollupIntervalSeconds * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async runOnce(): Promise<void> {
    const { db, clock, config, ingest } = this.#deps;
    await ingest.drain();
    const minutes = [...ingest.dirtyMinutes].sort((a, b) => a - b);
    ingest.dirtyMinutes.clear();
    await metrics.rollupMinutes(db, minutes);
    const hours = [...new Set(minutes.map((m) => m - (m % 3_600_000)))];
    await metrics.rollupHours(db, hours);
    const now = clock.now();
    await metrics.deleteOlderThan(db, 'metrics', now - config.retention.rawHours * 3_600_000);
    await metrics.deleteOlderThan(db, 'metrics_1m', now - config.retention.minuteDays * 86_400_000);
    await metrics.deleteOlderThan(db, 'metrics_1h', now - config.retention.hourDays * 86_400_000);
    await tokens.deleteExpiredSessions(db, now);
  }
}
