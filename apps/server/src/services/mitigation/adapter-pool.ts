// Started adapter instances, one per stored adapter, rebuilt when its row changes. Every
// operation on one adapter runs in order (a withdraw never overtakes the announce before it).
import type { AdapterType, OutboundReach } from '@breakwater/contracts';
import type { AdapterRow } from '@breakwater/db';
import { fromJson } from '@breakwater/db';
import type { AdapterDeps, AdapterFactory, MitigationAdapter } from '@breakwater/mitigation';

export type AdapterFactories = Record<AdapterType, AdapterFactory>;

interface Entry {
  version: number;
  adapter: MitigationAdapter;
  started: Promise<void> | null;
  queue: Promise<unknown>;
}

export class AdapterPool {
  readonly #factories: AdapterFactories;
  readonly #deps: AdapterDeps;
  readonly #reachOf: (type: string) => readonly OutboundReach[];
  readonly #entries = new Map<string, Entry>();

  /** `reachOf`: the non-public ranges the operator's config lets adapters of a type call (none by default). */
  constructor(factories: AdapterFactories, deps: AdapterDeps, reachOf: (type: string) => readonly OutboundReach[] = () => []) {
    this.#factories = factories;
    this.#deps = deps;
    this.#reachOf = reachOf;
  }

  /** What adapters of a type may reach (the routes check endpoints against it when they are saved). */
  reachOf(type: string): readonly OutboundReach[] {
    return this.#reachOf(type);
  }

  /** A new, unstarted instance for a row (connectivity tests of unsaved settings use it too). */
  build(row: Pick<AdapterRow, 'adapter_type' | 'endpoint' | 'auth_token' | 'config'>): MitigationAdapter {
    const factory = this.#factories[row.adapter_type as AdapterType];
    if (!factory) throw new Error(`unknown adapter type ${row.adapter_type}`);
    return factory({ endpoint: row.endpoint, authToken: row.auth_token, options: fromJson<Record<string, unknown>>(row.config, {}) }, { ...this.#deps, reach: this.#reachOf(row.adapter_type) });
  }

  #entry(row: AdapterRow): Entry {
    const cur = this.#entries.get(row.id);
    if (cur && cur.version === row.updated_at) return cur;
    if (cur) void this.#retire(cur);
    const entry: Entry = { version: row.updated_at, adapter: this.build(row), started: null, queue: Promise.resolve() };
    this.#entries.set(row.id, entry);
    return entry;
  }

  /** Runs fn with the started adapter, after every earlier operation on it. */
  run<T>(row: AdapterRow, fn: (a: MitigationAdapter) => Promise<T>): Promise<T> {
    const entry = this.#entry(row);
    const next = entry.queue.then(async () => {
      if (!entry.started) entry.started = entry.adapter.start();
      try {
        await entry.started;
      } catch (err) {
        entry.started = null; // try to start again next time (the speaker may come back)
        throw err;
      }
      return fn(entry.adapter);
    });
    entry.queue = next.catch(() => undefined);
    return next;
  }

  async #retire(entry: Entry): Promise<void> {
    await entry.queue;
    await entry.adapter.stop().catch(() => undefined);
  }

  async forget(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    if (entry) await this.#retire(entry);
  }

  async stop(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(all.map((e) => this.#retire(e)));
  }
}
