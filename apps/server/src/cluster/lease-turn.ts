// What a timer that runs under a lease (mitigation, scrubbing) does with it, in one place: it asks
// before each pass and each external call whether the lease is still its own (`mayAct`), starts
// over with a reconciliation when it newly holds it (the last holder may have died mid-way), and
// makes its state changes through `write`, fenced by the lease's token inside a pass.
//
// The same service methods also serve requests (an operator withdrawing a rule on any replica):
// those must not be fenced. So only writes made inside `pass` are: the pass's async context says
// so, rather than a flag threaded through every method between the tick and the write.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from '@breakwater/db';
import type { LeaseGate } from './leases.ts';

/**
 * A write refused because another holder took the work over since this one's check (a cluster
 * lease, or a row's claim, that ran out while this holder paused). Logged; the stale holder stops.
 */
export class FencedOut extends Error {
  constructor(what: string) {
    super(`${what}: taken over by another holder between the check and the write; the write was refused and this holder stops`);
    this.name = 'FencedOut';
  }
}

export interface LeaseTurnDeps {
  /** Absent: one replica (or a test): always acts, writes are not fenced. */
  gate?: LeaseGate | undefined;
  db: Db;
  /** Names the timer in logs. */
  what: string;
  /** Told when this replica newly holds the lease (reconcile at once). */
  onTakeover: () => void;
  onError: (err: unknown) => void;
}

export class LeaseTurn {
  readonly #d: LeaseTurnDeps;
  readonly #inPass = new AsyncLocalStorage<true>();
  #hadLease = false;

  constructor(deps: LeaseTurnDeps) {
    this.#d = deps;
  }

  /** Still ours (the fencing check, asked of the database). */
  async mayAct(): Promise<boolean> {
    if (!this.#d.gate) return true;
    const held = await this.#d.gate.check();
    if (held && !this.#hadLease) this.#d.onTakeover();
    this.#hadLease = held;
    return held;
  }

  /** One timer pass: writes through `write` inside it are fenced; a fenced-out write ends it, logged. */
  async pass(fn: () => Promise<void>): Promise<void> {
    try {
      await this.#inPass.run(true, fn);
    } catch (err) {
      if (!(err instanceof FencedOut)) throw err;
      this.#d.onError(err);
    }
  }

  /**
   * A state change: inside a pass under a lease, in one transaction with the lease row still this
   * replica's under its checked token, else FencedOut (nothing written); elsewhere, as is.
   */
  async write<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const gate = this.#d.gate;
    if (!gate || !this.#inPass.getStore()) return fn(this.#d.db);
    const out = await gate.fenced(fn);
    if (out.held) return out.value;
    this.#hadLease = false;
    throw new FencedOut(this.#d.what);
  }

  /** For one item's failure inside a pass: logged and the pass goes on, unless it was fenced out. */
  readonly itemFailed = (err: unknown): void => {
    if (err instanceof FencedOut) throw err;
    this.#d.onError(err);
  };
}
