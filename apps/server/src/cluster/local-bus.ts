// The bus of a single process (SQLite): every subscriber is here, so publishing is delivering.
import type { ClusterPayloads, ClusterTopic } from '@breakwater/contracts';
import { Subscribers, type BusHandler, type ClusterBus } from './bus.ts';

export class LocalBus implements ClusterBus {
  readonly kind = 'local' as const;
  readonly replicaId: string;
  readonly #subs = new Subscribers();

  constructor(replicaId: string) {
    this.replicaId = replicaId;
  }

  get healthy(): boolean {
    return true;
  }

  async publish<T extends ClusterTopic>(topic: T, payload: ClusterPayloads[T]): Promise<void> {
    this.#subs.deliver(topic, payload, { origin: this.replicaId, local: true });
  }

  subscribe<T extends ClusterTopic>(topic: T, handler: BusHandler<T>): () => void {
    return this.#subs.add(topic, handler);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
