// The control-plane component: create() does no I/O; start() opens storage, builds the
// app and listens; stop() undoes it in reverse order.
import type { Severity } from '@breakwater/contracts';
import { openDatabase, type Database, type TokenScope } from '@breakwater/db';
import { ADAPTER_FACTORIES } from '@breakwater/mitigation';
import { AlertRouter } from './services/alerting/alert-router.ts';
import { ChannelDeliverer } from './services/alerting/channel-deliverer.ts';
import { alertNodeOf } from './services/alerting/notification-of.ts';
import { Outbox } from './services/alerting/outbox.ts';
import type { App } from './app.ts';
import { buildApp } from './app.ts';
import { startInOrder, stopInReverse, type Component } from './components.ts';
import { Auth } from './auth/auth.ts';
import { systemClock, type Clock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import type { AppContext } from './context.ts';
import { bootstrap, isInitialised, type BootstrapResult } from './services/workspace/bootstrap.ts';
import { CommandService } from './services/commands/command-service.ts';
import { Fleet, type FleetOptions } from './services/fleet/fleet.ts';
import { IncidentService } from './services/incidents/incident-service.ts';
import { Cluster } from './cluster/cluster.ts';
import { ClusterLiveBus, relayCommands } from './cluster/relay.ts';
import { AdapterPool, type AdapterFactories } from './services/mitigation/adapter-pool.ts';
import { reachOf } from './outbound-config.ts';
import { AutoMitigator } from './services/mitigation/auto-mitigator.ts';
import { SCRUBBING_FACTORIES } from '@breakwater/scrubbing';
import { ScrubbingTier } from './services/scrubbing/diversions.ts';
import { ProviderPool, type ScrubbingFactories } from './services/scrubbing/provider-pool.ts';
import { ScrubbingService } from './services/scrubbing/scrubbing-service.ts';
import { RunbookEngine } from './services/runbooks/engine.ts';
import { MitigationService } from './services/mitigation/mitigation-service.ts';
import { MetricsIngest } from './services/metrics/ingest.ts';
import { RollupJob } from './services/metrics/rollup-job.ts';
import { ServerMetrics } from './observability/server-metrics.ts';
import { resolveSecretKey } from './secret-key.ts';
import { VERSION } from './version.ts';

export interface ServerDeps {
  clock?: Clock;
  /** Forensic analysis of stored captures; the engine of packages/analysis unless a test swaps it. */
  analyzer?: (path: string) => Promise<unknown>;
  /** What channels send HTTP through (tests may wrap it); the global fetch by default. */
  fetch?: typeof fetch;
  /** Mitigation adapter implementations (the registry of packages/mitigation unless a test swaps one). */
  adapterFactories?: Partial<AdapterFactories>;
  /** Scrubbing provider implementations (the registry of packages/scrubbing unless a test swaps one). */
  scrubbingFactories?: Partial<ScrubbingFactories>;
  /** Country of an address, for geo lockdown; the bundled GeoIP database unless a test swaps it. */
  geo?: (ip: string) => Promise<string | null>;
  /** Fleet streams and transfers: lifetimes, buffers and caps (tests shorten them). */
  fleet?: FleetOptions;
}

export interface RunningServer {
  app: App;
  ctx: AppContext;
  database: Database;
  url: string;
  rollup: RollupJob;
  outbox: Outbox;
  mitigation: MitigationService;
  autoMitigator: AutoMitigator;
  scrubbing: ScrubbingService;
  runbooks: RunbookEngine;
  /** Set when this start created the first workspace: shown once, never stored in the clear. */
  bootstrapped: BootstrapResult | null;
  stop(): Promise<void>;
}

export function createServer(config: ServerConfig, deps: ServerDeps = {}) {
  const clock = deps.clock ?? systemClock;
  return {
    /** deployTokenScope: the scope of the deploy token a first start creates (default register). */
    async start(opts: { bootstrapIfEmpty?: boolean; deployTokenScope?: TokenScope } = {}): Promise<RunningServer> {
      const secret = resolveSecretKey(config);
      if (secret.createdAt && config.logLevel !== 'silent') console.error(`[breakwater] created ${secret.createdAt} (mode 0600): the key to channel and adapter secrets in the database; back it up with it`);
      const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, secretKey: secret.key });
      try {
        const db = database.db;
        const logError = (err: unknown) => console.error('[breakwater]', err);
        const serverMetrics = new ServerMetrics({ db, clock, version: VERSION, offlineAfterSeconds: config.offlineAfterSeconds });
        const ingest = new MetricsIngest({ db, dialect: database.dialect, flushMs: config.ingestFlushMs, now: () => clock.now(), onError: logError, observe: serverMetrics.observeIngest });
        const deliverer = new ChannelDeliverer({ fetch: deps.fetch, now: () => clock.now(), timeoutMs: config.notifyTimeoutMs, userAgent: `Breakwater/${VERSION}` }, (type) => reachOf(config.outbound.channels, type));
        const outbox = new Outbox({ db, clock, deliver: serverMetrics.timeDeliveries(deliverer.deliver), options: config.outbox, onError: logError });
        const alerts = new AlertRouter({ db, clock, dashboardUrl: config.publicUrl ?? null, wake: () => outbox.wake() });
        const cluster = new Cluster(config.cluster, { db, dialect: database.dialect, databaseUrl: config.databaseUrl, clock, onError: logError });
        const live = new ClusterLiveBus(cluster.bus, logError);
        const commandService = new CommandService({ db, clock, publicUrl: config.publicUrl ?? null });
        const pool = new AdapterPool({ ...ADAPTER_FACTORIES, ...deps.adapterFactories }, {
          now: () => clock.now(), fetch: deps.fetch, timeoutMs: config.mitigation.timeoutMs,
          local: { birdc: config.mitigation.bird2?.birdc, birdIncludeDir: config.mitigation.bird2?.includeDir, socketDirs: config.mitigation.socketDirs },
        }, (type) => reachOf(config.outbound.adapters, type));
        const mitigation = new MitigationService({
          db, clock, pool, commands: commandService, live, onError: logError, ...config.mitigation, gate: cluster.gate('mitigation'), dialect: database.dialect,
          onMitigated: (incident, rule, description) => alerts.mitigated(incident, rule.node_id ?? incident.node_id, description),
        });
        const geo = deps.geo ?? (async (ip: string) => ((await import('@breakwater/analysis')).openGeo().then((g) => g.lookup?.(ip) ?? null)));
        const scrubbing = new ScrubbingService({
          db, clock, live, onError: logError, ...config.scrubbing, gate: cluster.gate('scrubbing'),
          pool: new ProviderPool({ ...SCRUBBING_FACTORIES, ...deps.scrubbingFactories }, { now: () => clock.now(), fetch: deps.fetch, timeoutMs: config.scrubbing.timeoutMs }, (type) => reachOf(config.outbound.scrubbing, type)),
        });
        const scrubbingTier = new ScrubbingTier({ db, clock, scrubbing, allowlistFor: (ws, node) => mitigation.allowlistFor(ws, node) });
        const autoMitigator = new AutoMitigator({ db, clock, rules: mitigation, geo, onError: logError, scrubbing: scrubbingTier });
        const fleet = new Fleet({ db, clock, bus: cluster.bus, registry: cluster.links, onError: logError }, deps.fleet);
        const stopRelay = relayCommands({ bus: cluster.bus, db, commands: commandService, links: fleet.links, live, onError: logError });
        // Runbook webhooks reach what the webhook channel may reach (outbound.channels.webhook).
        const runbookEngine = new RunbookEngine({
          db, clock, mitigation, onError: logError, wakeOutbox: () => outbox.wake(), dashboardUrl: config.publicUrl ?? null,
          diversions: { db, clock, scrubbing, allowlistFor: (ws, node) => mitigation.allowlistFor(ws, node) },
          outbound: { reach: reachOf(config.outbound.channels, 'webhook'), fetch: deps.fetch, userAgent: `Breakwater/${VERSION}` },
        });
        const ctx: AppContext = {
          cluster,
          metrics: serverMetrics,
          fleet,
          live,
          commands: commandService,
          mitigation,
          scrubbing,
          runbooks: runbookEngine,
          adapters: pool,
          config, db, dialect: database.dialect, clock, ingest, version: VERSION, startedAt: clock.now(), alerts,
          auth: new Auth({ db, clock, defaultRateLimit: config.defaultRateLimitPerMinute }),
          incidents: new IncidentService({
            db, clock, onError: logError,
            onEvent: async (event, incident, node, previous) => {
              // Mitigation first and in the background: it must never wait for notifications.
              void autoMitigator.handle(event, incident, node);
              void runbookEngine.handle(event, incident, node);
              live.publish(node.workspace_id, { type: event, incident_id: incident.uuid, node_id: node.uuid });
              if (event === 'incident.updated') return;
              await alerts.emit(event, { incident, previousSeverity: (previous?.severity as Severity | undefined) ?? null, node: alertNodeOf(node) });
            },
          }),
          // Loaded on first use: most servers analyse a capture rarely, and the engine brings
          // the GeoIP database with it.
          analyzer: deps.analyzer ?? (async (path) => (await import('@breakwater/analysis')).analyzeCapture(path)),
        };
        let bootstrapped: BootstrapResult | null = null;
        if (opts.bootstrapIfEmpty && !(await isInitialised(db))) {
          bootstrapped = await bootstrap(db, clock, { nodeQuota: config.defaultNodeQuota, rateLimitPerMinute: config.defaultRateLimitPerMinute, deployTokenScope: opts.deployTokenScope });
        }
        const app = await buildApp(ctx);
        const rollup = new RollupJob({ db, clock, config, ingest, onError: logError });
        // Started in this order and stopped in reverse, after the app has stopped taking requests.
        // The cluster first: the timers after it ask it for their leases.
        const components: Component[] = [cluster, { stop: async () => stopRelay() }, ingest, rollup, deliverer, outbox, pool, mitigation, scrubbing, autoMitigator, fleet, runbookEngine];
        await startInOrder(components);
        const url = await app.listen({ host: config.host, port: config.port }).catch(async (err: unknown) => {
          await stopInReverse(components);
          throw err;
        });
        return {
          app, ctx, database, url, rollup, outbox, bootstrapped, mitigation, autoMitigator, scrubbing, runbooks: runbookEngine,
          async stop() {
            await app.close();
            await stopInReverse(components);
            await database.close();
          },
        };
      } catch (err) {
        await database.close();
        throw err;
      }
    },
  };
}
