// Leases: timers that must run on one replica at a time (LEASE_NAMES). Each replica tries to take
// every free or expired lease and renews the ones it holds every renewMs; a lease not renewed for
// ttlMs passes to another replica, whose takeover grows the lease's fencing token.
//
// A holder acts only after `check()`: the lease must still be its own under its token in the
// database (not only in memory). A replica that paused — GC, a stopped VM, a lost network — past
// its lease comes back believing it holds it; the check fails, since the next holder's token is
// higher, and it does nothing. Timers check once per pass and again before each external call.
//
// A check is not enough on its own: a holder can pause between its check and its write. So the
// writes themselves are fenced (`fenced`): they run in one transaction that takes the lease row
// only if it still has this holder and the token the last passing check saw (cluster.underLease).
import { LEASE_NAMES, type LeaseName } from '@breakwater/contracts';
import { cluster, type Db, type DialectName, type Fenced } from '@breakwater/db';
import type { Clock } from '../clock.ts';

export interface LeaseGate {
  /** This replica holds the lease now, as the database sees it (the fencing check). */
  check(): Promise<boolean>;
  /**
   * Runs `fn` in one transaction only while the lease is still this replica's under the token its
   * last passing check saw; `held: false` (nothing written) once another replica took it over.
   */
  fenced<T>(fn: (trx: Db) => Promise<T>): Promise<Fenced<T>>;
}

export interface LeaseManagerDeps {
  db: Db;
  /** PostgreSQL: fenced writes lock the lease row (default sqlite: one writer). */
  dialect?: DialectName;
  clock: Clock;
  replicaId: string;
  ttlMs: number;
  renewMs: number;
  names?: readonly LeaseName[];
  onError: (err: unknown) => void;
  /** Told when this replica takes or loses a lease. */
  onChange?: (name: LeaseName, held: boolean, token: number) => void;
}

interface Held {
  token: number;
  /** Past this (this replica's clock), the lease may be another's: stop acting before the database says so. */
  until: number;
}

export class LeaseManager {
  readonly #d: LeaseManagerDeps;
  readonly #held = new Map<LeaseName, Held>();
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;
  #lastRoundOk = 0;
  #stopped = false;

  constructor(deps: LeaseManagerDeps) {
    this.#d = deps;
  }

  get names(): readonly LeaseName[] {
    return this.#d.names ?? LEASE_NAMES;
  }

  /** The last round reached the database recently enough for this replica to know what it holds. */
  get ok(): boolean {
    return !this.#stopped && this.#d.clock.now() - this.#lastRoundOk < this.#d.ttlMs;
  }

  /** Leases this replica holds now (in memory: for reporting; act only after check()). */
  held(): LeaseName[] {
    const now = this.#d.clock.now();
    return [...this.#held].filter(([, h]) => h.until > now).map(([n]) => n);
  }

  token(name: LeaseName): number | null {
    return this.#held.get(name)?.token ?? null;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.round();
    this.#timer = setInterval(() => {
      if (!this.#round) this.#round = this.round().finally(() => (this.#round = null));
    }, this.#d.renewMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#round;
    // Handed back at once, so a survivor need not wait for them to expire.
    for (const [name, h] of this.#held) await cluster.releaseLease(this.#d.db, name, this.#d.replicaId, h.token).catch(this.#d.onError);
    this.#held.clear();
  }

  /** One pass: renew what is held, take what is free. */
  async round(): Promise<void> {
    let ok = true;
    for (const name of this.names) {
      try {
        await this.#renewOrTake(name);
      } catch (err) {
        ok = false;
        this.#d.onError(err);
      }
    }
    if (ok) this.#lastRoundOk = this.#d.clock.now();
  }

  async #renewOrTake(name: LeaseName): Promise<void> {
    const { db, clock, replicaId, ttlMs } = this.#d;
    const started = clock.now();
    const h = this.#held.get(name);
    if (h && (await cluster.renewLease(db, name, replicaId, h.token, started, ttlMs))) {
      h.until = started + ttlMs;
      return;
    }
    if (h) this.#lose(name, h.token);
    const token = await cluster.acquireLease(db, name, replicaId, started, ttlMs);
    if (token !== null) {
      this.#held.set(name, { token, until: started + ttlMs });
      this.#d.onChange?.(name, true, token);
    }
  }

  #lose(name: LeaseName, token: number): void {
    this.#held.delete(name);
    this.#d.onChange?.(name, false, token);
  }

  /** The fencing check for one lease, and its fenced writes, as the timers use them. */
  gate(name: LeaseName): LeaseGate {
    // The token of the last passing check: writes are fenced with what the holder decided under.
    let checked: number | null = null;
    // Not cleared when a check starts, only by its answer: a check running beside a write (a second
    // pass) must not refuse that write while the lease is still held.
    const no = (): false => {
      checked = null;
      return false;
    };
    const check = async (): Promise<boolean> => {
      if (this.#stopped) return no();
      let h = this.#held.get(name);
      let now = this.#d.clock.now();
      try {
        // Not held, or held past its time as this replica counts it (a pause, or a clock that
        // jumped): ask the database now rather than wait for the next round. Taking it succeeds
        // only when it is free, expired or still ours, so this never steals a live lease.
        if (!h || h.until <= now) {
          await this.#renewOrTake(name);
          h = this.#held.get(name);
          now = this.#d.clock.now();
          if (!h) return no();
        }
        if (await cluster.holdsLease(this.#d.db, name, this.#d.replicaId, h.token, now)) {
          checked = h.token;
          return true;
        }
      } catch (err) {
        this.#d.onError(err);
        return no();
      }
      if (this.#held.get(name) === h) this.#lose(name, h.token);
      return no();
    };
    const fenced = async <T>(fn: (trx: Db) => Promise<T>): Promise<Fenced<T>> => {
      const token = checked;
      if (token === null || this.#stopped) return { held: false };
      const out = await cluster.underLease(this.#d.db, this.#d.dialect ?? 'sqlite', { name, holder: this.#d.replicaId, token }, fn);
      if (!out.held) {
        if (checked === token) checked = null;
        const h = this.#held.get(name);
        if (h?.token === token) this.#lose(name, token);
      }
      return out;
    };
    return { check, fenced };
  }
}
