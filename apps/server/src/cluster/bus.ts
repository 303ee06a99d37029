// The cross-replica bus: one interface, an in-process implementation (SQLite: one process) and a
// PostgreSQL one (LISTEN/NOTIFY as the hint, the event log polled as the fallback). Messages are
// small (ids); a receiver reads the rows it needs. Delivery to this replica's own subscribers is
// synchronous at publish; other replicas hear of it once it is stored.
import type { ClusterPayloads, ClusterTopic } from '@breakwater/contracts';

export interface BusOrigin {
  /** The replica that published. */
  origin: string;
  /** True when that is this replica. */
  local: boolean;
}

export type BusHandler<T extends ClusterTopic> = (payload: ClusterPayloads[T], from: BusOrigin) => void;

export interface ClusterBus {
  readonly kind: 'local' | 'postgres';
  readonly replicaId: string;
  /** Listening (PostgreSQL) and reading the event log without errors. */
  readonly healthy: boolean;
  publish<T extends ClusterTopic>(topic: T, payload: ClusterPayloads[T]): Promise<void>;
  subscribe<T extends ClusterTopic>(topic: T, handler: BusHandler<T>): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The subscriber table both implementations share. */
export class Subscribers {
  readonly #byTopic = new Map<string, Set<(payload: unknown, from: BusOrigin) => void>>();

  add<T extends ClusterTopic>(topic: T, handler: BusHandler<T>): () => void {
    let set = this.#byTopic.get(topic);
    if (!set) this.#byTopic.set(topic, (set = new Set()));
    const h = handler as (payload: unknown, from: BusOrigin) => void;
    set.add(h);
    return () => set.delete(h);
  }

  deliver(topic: string, payload: unknown, from: BusOrigin): void {
    for (const h of [...(this.#byTopic.get(topic) ?? [])]) {
      try {
        h(payload, from);
      } catch {
        /* one broken subscriber must not starve the others */
      }
    }
  }
}
