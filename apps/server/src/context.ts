import type { FastifyRequest } from 'fastify';
import { audit, type Db, type DialectName } from '@breakwater/db';
import type { Auth } from './auth/auth.ts';
import type { Clock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import type { AlertRouter } from './services/alerting/alert-router.ts';
import type { CommandService } from './services/commands/command-service.ts';
import type { LiveBus } from './services/live/live-bus.ts';
import type { AdapterPool } from './services/mitigation/adapter-pool.ts';
import type { MitigationService } from './services/mitigation/mitigation-service.ts';
import type { IncidentService } from './services/incidents/incident-service.ts';
import type { MetricsIngest } from './services/metrics/ingest.ts';

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
  /** Started mitigation adapters (and fresh instances for connectivity tests). */
  adapters: AdapterPool;
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
