// Which replica holds each agent's WebSocket, kept in the database so any replica can answer
// "is this agent connected?" (the fleet API's agent detail) — not only the one holding it.
// Each replica refreshes its own row every lease renewal; a link counts while its replica's row
// is younger than the lease TTL, so a replica that died without a word stops counting as soon
// as its leases would pass on. One process (SQLite): nothing is written, the local sockets say all.
import { cluster, type Db } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import type { Component } from '../components.ts';

export interface LinkRegistryDeps {
  db: Db;
  clock: Clock;
  replicaId: string;
  /** Several replicas can exist (PostgreSQL); false: every method is a no-op. */
  shared: boolean;
  beatMs: number;
  /** A replica not seen for this long holds no links. */
  aliveMs: number;
  onError: (err: unknown) => void;
}

export class LinkRegistry implements Component {
  readonly #d: LinkRegistryDeps;
  #timer: NodeJS.Timeout | null = null;
  /** Writes in flight, awaited at stop so the last unlink lands before the replica's row goes. */
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: LinkRegistryDeps) {
    this.#d = deps;
  }

  async start(): Promise<void> {
    if (!this.#d.shared) return;
    await cluster.touchReplica(this.#d.db, this.#d.replicaId, this.#d.clock.now());
    this.#timer = setInterval(() => this.#track(cluster.touchReplica(this.#d.db, this.#d.replicaId, this.#d.clock.now())), this.#d.beatMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.#d.shared) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
    await cluster.forgetReplica(this.#d.db, this.#d.replicaId).catch(this.#d.onError);
  }

  /** The agent's socket is on this replica now. */
  attached(nodeId: number): void {
    if (this.#d.shared) this.#track(cluster.linkAgent(this.#d.db, nodeId, this.#d.replicaId, this.#d.clock.now()));
  }

  /** The agent's socket on this replica closed. */
  detached(nodeId: number): void {
    if (this.#d.shared) this.#track(cluster.unlinkAgent(this.#d.db, nodeId, this.#d.replicaId));
  }

  /** Another live replica holds the agent's socket. */
  async elsewhere(nodeId: number): Promise<boolean> {
    if (!this.#d.shared) return false;
    const holder = await cluster.linkedReplica(this.#d.db, nodeId, this.#d.clock.now() - this.#d.aliveMs);
    return holder !== null && holder !== this.#d.replicaId;
  }

  /** Waits for the link writes in flight (tests; stop does the same). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  #track(p: Promise<void>): void {
    const t = p.catch(this.#d.onError).finally(() => this.#pending.delete(t));
    this.#pending.add(t);
  }
}
