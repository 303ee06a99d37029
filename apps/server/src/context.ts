import type { FastifyRequest } from 'fastify';
import { audit, type Db, type DialectName } from '@breakwater/db';
import type { Auth } from './auth/auth.ts';
import type { Clock } from './clock.ts';
import type { Cluster } from './cluster/cluster.ts';
import type { ServerConfig } from './config.ts';
import type { AlertRouter } from './services/alerting/alert-router.ts';
import type { CommandService } from './services/commands/command-service.ts';
import type { Fleet } from './services/fleet/fleet.ts';
import type { LiveBus } from './services/live/live-bus.ts';
import type { AdapterPool } from './services/mitigation/adapter-pool.ts';
import type { MitigationService } from './services/mitigation/mitigation-service.ts';
import type { ScrubbingService } from './services/scrubbing/scrubbing-service.ts';
import type { RunbookEngine } from './services/runbooks/engine.ts';
import type { IncidentService } from './services/incidents/incident-service.ts';
import type { MetricsIngest } from './services/metrics/ingest.ts';
import type { ServerMetrics } from './observability/server-metrics.ts';

/** What routes are given: explicit dependencies, no module globals. */
export interface AppContext {
  config: ServerConfig;
  db: Db;
  dialect: DialectName;
  clock: Clock;
  auth: Auth;
  ingest: MetricsIngest;
  incidents: IncidentService;
  version: string;
  startedAt: number;
  alerts: AlertRouter;
  /** Typed commands for agents (fleet API, mitigation policy); listeners push them to connected agents. */
  commands: CommandService;
  /** Stored changes, fanned out to live views. */
  live: LiveBus;
  mitigation: MitigationService;
  /** Cloud scrubbing diversions and the providers they go through. */
  scrubbing: ScrubbingService;
  /** Runbook executions: started by incident events and test runs, durable across restarts. */
  runbooks: RunbookEngine;
  /** Connected agents' sockets, stream tickets, SSE streams and file transfers (fleet API). */
  fleet: Fleet;
  /** Started mitigation adapters (and fresh instances for connectivity tests). */
  adapters: AdapterPool;
  /** This replica among others on one database: its bus, its leases, its readiness. */
  cluster: Cluster;
  /** This server's Prometheus metrics (GET /metrics). */
  metrics: ServerMetrics;
  /** Forensic analysis of a stored capture (the engine of packages/analysis). */
  analyzer: (path: string) => Promise<unknown>;
}

export async function recordAudit(ctx: AppContext, req: FastifyRequest, action: string, target: string | null, detail: unknown = {}): Promise<void> {
  const p = req.principal;
  if (!p) return;
  await audit.appendAudit(ctx.db, { workspaceId: p.workspaceId, actor: p.actor, action, target, detail, requestId: req.id, at: ctx.clock.now() });
}

export function offlineBefore(ctx: AppContext): number {
  return ctx.clock.now() - ctx.config.offlineAfterSeconds * 1000;
}
