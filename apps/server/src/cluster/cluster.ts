// The cluster component: this replica's bus and leases, chosen by the database (PostgreSQL:
// LISTEN/NOTIFY bus; SQLite: one process, the in-process bus). Leases use the same table on both
// engines. Started before the timers that ask it for leases, stopped after them.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { LeaseName, Readiness } from '@breakwater/contracts';
import { ping, type Db, type DialectName } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import type { Component } from '../components.ts';
import type { ClusterBus } from './bus.ts';
import { resolveClusterConfig, type ClusterConfig } from './cluster-config.ts';
import { LeaseManager, type LeaseGate } from './leases.ts';
import { LinkRegistry } from './link-registry.ts';
import { LocalBus } from './local-bus.ts';
import { PgBus } from './pg-bus.ts';

export interface ClusterDeps {
  db: Db;
  dialect: DialectName;
  /** The PostgreSQL URL (the bus listens on a connection of its own). */
  databaseUrl: string | undefined;
  clock: Clock;
  onError: (err: unknown) => void;
}

export class Cluster implements Component {
  readonly replicaId: string;
  readonly bus: ClusterBus;
  readonly leases: LeaseManager;
  /** Which replica holds each agent's WebSocket (the fleet's agent detail asks it). */
  readonly links: LinkRegistry;
  readonly config: ClusterConfig;
  readonly #d: ClusterDeps;

  constructor(input: Partial<ClusterConfig> | undefined, deps: ClusterDeps) {
    this.#d = deps;
    this.config = resolveClusterConfig(input);
    // SQLite has one process: the same name across restarts takes its leases back at once.
    this.replicaId = this.config.replicaId ?? (deps.dialect === 'sqlite' ? `${hostname()}:sqlite` : `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`);
    const { db, clock, onError } = deps;
    this.bus = deps.dialect === 'postgres' && deps.databaseUrl
      ? new PgBus({ db, clock, onError, url: deps.databaseUrl, replicaId: this.replicaId, pollMs: this.config.busPollMs, retentionMs: this.config.busRetentionMs })
      : new LocalBus(this.replicaId);
    this.leases = new LeaseManager({ db, dialect: deps.dialect, clock, onError, replicaId: this.replicaId, ttlMs: this.config.leaseTtlMs, renewMs: this.config.leaseRenewMs });
    this.links = new LinkRegistry({ db, clock, onError, replicaId: this.replicaId, shared: this.bus.kind === 'postgres', beatMs: this.config.leaseRenewMs, aliveMs: this.config.leaseTtlMs });
  }

  gate(name: LeaseName): LeaseGate {
    return this.leases.gate(name);
  }

  async start(): Promise<void> {
    await this.bus.start();
    await this.leases.start();
    await this.links.start();
  }

  async stop(): Promise<void> {
    await this.links.stop();
    await this.leases.stop();
    await this.bus.stop();
  }

  /** What GET /api/v1/ready reports. */
  async readiness(): Promise<Readiness> {
    const t0 = performance.now();
    let dbOk = true;
    try {
      await Promise.race([ping(this.#d.db), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref())]);
    } catch {
      dbOk = false;
    }
    const latency = Math.round((performance.now() - t0) * 100) / 100;
    const bus = { kind: this.bus.kind, ok: this.bus.healthy };
    const leases = { ok: this.leases.ok, held: this.leases.held() };
    return { ready: dbOk && bus.ok && leases.ok, replica_id: this.replicaId, database: { ok: dbOk, latency_ms: latency }, bus, leases };
  }
}
