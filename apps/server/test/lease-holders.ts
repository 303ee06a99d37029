// Two mitigation services as two replicas would run them, on one real database, each under the
// 'mitigation' lease through a LeaseManager of its own, on a clock the test moves: the test decides
// who holds the lease and when it passes, and ticks each service itself (no timers run). The test
// server that made the database (schema, workspace, adapters) has its own timers stopped first.
import type { LeaseName } from '@breakwater/contracts';
import { mitigation as repo, type AdapterRow } from '@breakwater/db';
import { ADAPTER_FACTORIES, type AdapterFactory, type MitigationAdapter } from '@breakwater/mitigation';
import { LeaseManager } from '../src/cluster/leases.ts';
import { CommandService } from '../src/services/commands/command-service.ts';
import { LiveBus } from '../src/services/live/live-bus.ts';
import { AdapterPool } from '../src/services/mitigation/adapter-pool.ts';
import { MitigationService, type NewRule } from '../src/services/mitigation/mitigation-service.ts';
import type { TestServer } from './harness.ts';

export class MovableClock {
  t = Date.now();
  now = () => this.t;
}

export interface Holder {
  id: string;
  leases: LeaseManager;
  service: MitigationService;
  /** What the service published (dashboard events: one mitigation.announced per rule announced). */
  live: LiveBus;
  errors: unknown[];
}

/** An adapter whose calls the test can hold: `wrap` replaces the ones it names. */
export type AdapterWrap = (real: MitigationAdapter) => Partial<Pick<MitigationAdapter, 'announce' | 'withdraw' | 'present'>>;

export const LEASE_TTL_MS = 3000;

export async function leaseHolders(t: TestServer, opts: { wraps?: Record<string, AdapterWrap>; local?: ConstructorParameters<typeof AdapterPool>[1]['local'] } = {}) {
  const ctx = t.server.ctx;
  // The server's own timers off: only the test's two holders act on the rules.
  await ctx.mitigation.stop();
  await ctx.cluster.leases.stop();
  const clock = new MovableClock();
  const db = ctx.db;
  const name: LeaseName = 'mitigation';

  const make = (id: string): Holder => {
    const wrap = opts.wraps?.[id];
    const factories = { ...ADAPTER_FACTORIES };
    if (wrap) {
      for (const [type, real] of Object.entries(ADAPTER_FACTORIES) as [keyof typeof ADAPTER_FACTORIES, AdapterFactory][]) {
        factories[type] = (config, deps) => {
          const a = real(config, deps);
          return Object.assign(Object.create(a) as MitigationAdapter, wrap(a));
        };
      }
    }
    const pool = new AdapterPool(factories, { now: clock.now, fetch, timeoutMs: 5000, ...(opts.local ? { local: opts.local } : {}) }, () => ['loopback']);
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    const live = new LiveBus();
    const leases = new LeaseManager({ db, dialect: ctx.dialect, clock, replicaId: id, ttlMs: LEASE_TTL_MS, renewMs: 1000, names: [name], onError });
    const service = new MitigationService({
      db, clock, pool, dialect: ctx.dialect, gate: leases.gate(name), commands: new CommandService({ db, clock, publicUrl: null }), live,
      onError, tickMs: 500, reconcileMs: 3_600_000, maxAttempts: 5,
    });
    return { id, leases, service, live, errors };
  };

  return {
    clock,
    a: make('replica-a'),
    b: make('replica-b'),
    /** `from` stops renewing (a pause): past the lease's TTL, `to` takes it over with the next token. */
    async takeOver(to: Holder): Promise<number> {
      clock.t += LEASE_TTL_MS + 1;
      await to.leases.round();
      const token = to.leases.token(name);
      if (token === null) throw new Error(`${to.id} did not take the lease over`);
      return token;
    },
    rule(adapter: AdapterRow, prefix: string, ttlSeconds = 600): NewRule {
      return {
        workspaceId: adapter.workspace_id, adapter, node: null, incident: null, intent: 'blackhole',
        spec: { kind: 'blackhole', prefix, next_hop: null, communities: [] }, owner: 'test', reason: 'lease test', ttlSeconds, tier: null, dryRun: false,
      };
    },
    adapter: async (id: string) => (await repo.getAdapterById(db, id))!,
  };
}

/** A promise the test resolves: holds a call until the test lets it go, and says when it is reached. */
export function hold() {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const isReached = new Promise<void>((r) => (reached = r));
  return { release, reached: isReached, wait: () => (reached(), released) };
}
