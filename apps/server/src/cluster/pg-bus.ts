// The bus across replicas on PostgreSQL. Publishing stores a small event row and NOTIFYs it (ids
// only, well under NOTIFY's 8000 bytes) in the same statement; each replica LISTENs on one dedicated
// connection and delivers what a notification carries without a query. NOTIFY is only a hint: the log is also read every
// pollMs (a notification lost with its connection, or late because NOTIFY serialises commits under
// heavy writes, is found there), and at once after each reconnect (the catch-up).
//
// Ids come from a sequence, so one may commit after a higher one: a missing id is waited for a
// while (GAP_WAIT_MS) before it is taken for a rolled-back insert; events past a gap are
// delivered meanwhile and never twice (the ids above the low-water mark are remembered).
import type { ClusterPayloads, ClusterTopic } from '@breakwater/contracts';
import { cluster, listenForNotifications, type Db, type NotifyListener } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import { Subscribers, type BusHandler, type ClusterBus } from './bus.ts';

const PAGE = 500;
const GAP_WAIT_MS = 2_000;
const PRUNE_EVERY_MS = 60_000;

export interface PgBusDeps {
  db: Db;
  url: string;
  clock: Clock;
  replicaId: string;
  pollMs: number;
  retentionMs: number;
  onError: (err: unknown) => void;
}

export class PgBus implements ClusterBus {
  readonly kind = 'postgres' as const;
  readonly replicaId: string;
  readonly #d: PgBusDeps;
  readonly #subs = new Subscribers();
  /** Every event id up to here is handled (or given up on). */
  #low = 0;
  /** Ids above #low already handled. */
  readonly #seen = new Set<number>();
  readonly #gapSince = new Map<number, number>();
  #listener: NotifyListener | null = null;
  #poll: NodeJS.Timeout | null = null;
  #reading: Promise<void> | null = null;
  #again = false;
  #readOk = false;
  #lastPrune = 0;
  #stopped = true;

  constructor(deps: PgBusDeps) {
    this.#d = deps;
    this.replicaId = deps.replicaId;
  }

  get healthy(): boolean {
    return !this.#stopped && (this.#listener?.listening ?? false) && this.#readOk;
  }

  async publish<T extends ClusterTopic>(topic: T, payload: ClusterPayloads[T]): Promise<void> {
    this.#subs.deliver(topic, payload, { origin: this.replicaId, local: true });
    await cluster.appendEvent(this.#d.db, 'postgres', { topic, origin: this.replicaId, payload: JSON.stringify(payload), created_at: this.#d.clock.now() });
  }

  subscribe<T extends ClusterTopic>(topic: T, handler: BusHandler<T>): () => void {
    return this.#subs.add(topic, handler);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    // A new replica starts from now: what was published before it existed is not its business.
    this.#low = await cluster.latestEventId(this.#d.db);
    this.#readOk = true;
    let first: () => void = () => undefined;
    const listening = new Promise<void>((resolve) => (first = resolve));
    this.#listener = listenForNotifications(this.#d.url, cluster.EVENT_CHANNEL, {
      onNotify: (payload) => this.#notified(payload),
      onListening: () => {
        first();
        this.read(); // the catch-up after a (re)connect
      },
      onLost: (err) => this.#d.onError(new Error(`cluster bus: the LISTEN connection was lost (${err.message}); polling until it is back`)),
    });
    this.#poll = setInterval(() => this.read(), this.#d.pollMs);
    this.#poll.unref();
    // Ready once listening; a database that refuses the connection leaves the bus polling (not ready).
    await Promise.race([listening, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    await this.#listener?.close();
    this.#listener = null;
    await this.#reading;
  }

  /** Reads the log now, or right after the read under way. */
  read(): void {
    if (this.#stopped) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = this.#readAll()
      .catch((err: unknown) => {
        this.#readOk = false;
        this.#d.onError(err);
      })
      .finally(() => {
        this.#reading = null;
        if (this.#again) {
          this.#again = false;
          this.read();
        }
      });
  }

  /** A notification carries its event: delivered without a query; anything odd sends us to the log. */
  #notified(text: string): void {
    let e: { id?: unknown; topic?: unknown; origin?: unknown; payload?: unknown };
    try {
      e = JSON.parse(text) as typeof e;
    } catch {
      this.read();
      return;
    }
    if (typeof e.id !== 'number' || typeof e.topic !== 'string' || typeof e.origin !== 'string' || typeof e.payload !== 'string') {
      this.read();
      return;
    }
    this.#handle({ id: e.id, topic: e.topic, origin: e.origin, payload: e.payload });
    this.#advance(performance.now());
  }

  #handle(r: { id: number; topic: string; origin: string; payload: string }): void {
    if (r.id <= this.#low || this.#seen.has(r.id)) return;
    this.#seen.add(r.id);
    if (r.origin === this.replicaId) return; // delivered here at publish
    let payload: unknown;
    try {
      payload = JSON.parse(r.payload);
    } catch {
      return;
    }
    this.#subs.deliver(r.topic, payload, { origin: r.origin, local: false });
  }

  async #readAll(): Promise<void> {
    for (let from = this.#low; ;) {
      const rows = await cluster.eventsAfter(this.#d.db, from, PAGE);
      this.#readOk = true;
      for (const r of rows) this.#handle(r);
      this.#advance(performance.now());
      if (rows.length < PAGE || this.#stopped) break;
      from = rows[rows.length - 1]!.id;
    }
    const now = this.#d.clock.now();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      await cluster.pruneEvents(this.#d.db, now - this.#d.retentionMs);
    }
  }

  #advance(now: number): void {
    while (this.#seen.size > 0) {
      const next = this.#low + 1;
      if (this.#seen.delete(next)) {
        this.#gapSince.delete(next);
        this.#low = next;
        continue;
      }
      const since = this.#gapSince.get(next) ?? now;
      this.#gapSince.set(next, since);
      if (now - since < GAP_WAIT_MS) return;
      this.#gapSince.delete(next);
      this.#low = next; // never committed: a rolled-back insert
    }
  }
}
