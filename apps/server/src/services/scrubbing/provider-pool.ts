// One provider instance per stored integration, rebuilt when its row changes, and every call to
// one integration run in order (a disable never overtakes the enable before it). Providers are
// built through packages/scrubbing's registry with the outbound policy of their type.
import type { OutboundReach, ScrubbingType } from '@breakwater/contracts';
import { fromJson, type ScrubbingIntegrationRow } from '@breakwater/db';
import type { ScrubbingDeps, ScrubbingFactory, ScrubbingProvider } from '@breakwater/scrubbing';

export type ScrubbingFactories = Record<ScrubbingType, ScrubbingFactory>;

interface Entry {
  version: number;
  provider: ScrubbingProvider;
  queue: Promise<unknown>;
}

export class ProviderPool {
  readonly #factories: ScrubbingFactories;
  readonly #deps: ScrubbingDeps;
  readonly #reachOf: (type: string) => readonly OutboundReach[];
  readonly #entries = new Map<string, Entry>();

  constructor(factories: ScrubbingFactories, deps: ScrubbingDeps, reachOf: (type: string) => readonly OutboundReach[] = () => []) {
    this.#factories = factories;
    this.#deps = deps;
    this.#reachOf = reachOf;
  }

  /** What integrations of a type may reach beyond public addresses (checked when one is saved). */
  reachOf(type: string): readonly OutboundReach[] {
    return this.#reachOf(type);
  }

  /** A fresh provider for these settings (no I/O; throws ScrubbingError kind config naming the key). */
  build(row: Pick<ScrubbingIntegrationRow, 'integration_type' | 'config'>): ScrubbingProvider {
    const factory = this.#factories[row.integration_type as ScrubbingType];
    if (!factory) throw new Error(`integration_type: unknown scrubbing type ${row.integration_type}`);
    return factory(fromJson<Record<string, unknown>>(row.config, {}), { ...this.#deps, reach: this.#reachOf(row.integration_type) });
  }

  /** The provider of a stored integration, or null when it cannot be built (shown as no capabilities). */
  peek(row: ScrubbingIntegrationRow): ScrubbingProvider | null {
    try {
      return this.#entry(row).provider;
    } catch {
      return null;
    }
  }

  #entry(row: ScrubbingIntegrationRow): Entry {
    const cur = this.#entries.get(row.id);
    if (cur && cur.version === row.updated_at) return cur;
    const entry: Entry = { version: row.updated_at, provider: this.build(row), queue: cur?.queue ?? Promise.resolve() };
    this.#entries.set(row.id, entry);
    return entry;
  }

  /** Runs fn with the integration's provider, after every earlier call to it. */
  run<T>(row: ScrubbingIntegrationRow, fn: (p: ScrubbingProvider) => Promise<T>): Promise<T> {
    const entry = this.#entry(row);
    const next = entry.queue.then(() => fn(entry.provider));
    entry.queue = next.catch(() => undefined);
    return next;
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  async stop(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(all.map((e) => e.queue));
  }
}
