// Periodic roll-ups (raw → 1 m → 1 h) and retention. Only minutes that received
// samples are recomputed, so the cost follows the ingest rate, not the table size.
import { metricPartitions, metrics, tokens, type Db } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import type { ServerConfig } from '../../config.ts';
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
    const { retention } = this.#deps.config;
    // Before the server listens: today's partitions and those ahead exist before the first sample.
    await this.#maintainPartitions(now);
    await this.#deps.ingest.raiseFloors(floorTo(now - retention.rawHours * 3_600_000, 60_000), floorTo(now - retention.minuteDays * 86_400_000, 3_600_000), async () => {});
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
    // Deletion is aligned to whole buckets (raw: minutes, minute roll-ups: hours), so a
    // roll-up is only ever recomputed from a complete set of rows.
    const now = clock.now();
    const rawFloor = floorTo(now - config.retention.rawHours * 3_600_000, 60_000);
    const minuteFloor = floorTo(now - config.retention.minuteDays * 86_400_000, 3_600_000);
    await ingest.drain();
    await this.#rollUp();
    // Samples that landed meanwhile below the new floors are rolled up before their rows go. Only
    // those: this pass holds the ingest's flushes, and redoing the current minute for every node
    // there (it is always dirty again by now) held them for tens of milliseconds once a minute.
    await ingest.raiseFloors(rawFloor, minuteFloor, () => this.#rollUp({ minute: rawFloor, hour: minuteFloor }));
    // PostgreSQL: whole partitions past retention go at once; the deletes below take the rest.
    await this.#maintainPartitions(now);
    await metrics.deleteOlderThan(db, 'metrics', rawFloor);
    await metrics.deleteOlderThan(db, 'metrics_1m', minuteFloor);
    await metrics.deleteOlderThan(db, 'metrics_1h', now - config.retention.hourDays * 86_400_000);
    await metrics.deleteLateKeysOlderThan(db, now - config.retention.rawHours * 3_600_000);
    await tokens.deleteExpiredSessions(db, now);
  }

  /** Partitions (PostgreSQL) from each resolution's retention floor to ahead of now; nothing on SQLite. */
  async #maintainPartitions(now: number): Promise<void> {
    const { db, config } = this.#deps;
    if (!config.databaseUrl) return;
    const { retention } = config;
    await metricPartitions.maintainPartitions(db, {
      metrics: { now, keepFrom: floorTo(now - retention.rawHours * 3_600_000, 60_000) },
      metrics_1m: { now, keepFrom: floorTo(now - retention.minuteDays * 86_400_000, 3_600_000) },
      metrics_1h: { now, keepFrom: now - retention.hourDays * 86_400_000 },
    });
  }

  /** Rolls up the dirty minutes, then the dirty hours (those under `below` only, when given). */
  async #rollUp(below?: { minute: number; hour: number }): Promise<void> {
    const { db, ingest } = this.#deps;
    const minutes = take(ingest.dirtyMinutes, (m) => !below || m < below.minute);
    await metrics.rollupMinutes(db, minutes);
    for (const m of minutes) ingest.dirtyHours.add(floorTo(m, 3_600_000));
    await metrics.rollupHours(db, take(ingest.dirtyHours, (h) => !below || h < below.hour));
  }
}

/** Removes the members that pass from the set; returns them in order. */
function take(set: Set<number>, pass: (v: number) => boolean): number[] {
  const out = [...set].filter(pass).sort((a, b) => a - b);
  for (const v of out) set.delete(v);
  return out;
}

function floorTo(t: number, step: number): number {
  return t - (((t % step) + step) % step);
}
