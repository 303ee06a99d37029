// The server's configuration: defaults, and one validation pass at start whose
// errors name the key and what is allowed.
import { resolve } from 'node:path';
import { Type } from 'typebox';
import { validateConfig } from '@breakwater/contracts';
import { ClusterConfigSchema, type ClusterConfig } from './cluster/cluster-config.ts';
import { DEFAULT_OUTBOX, type OutboxOptions } from './services/alerting/outbox.ts';
import { DEFAULT_MITIGATION_LOCAL, DEFAULT_OUTBOUND, resolveMitigationLocal, resolveOutbound, type MitigationLocalConfig, type OutboundConfig } from './outbound-config.ts';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Key for secrets at rest (64 hex characters or base64 of 32 bytes; BREAKWATER_SECRET_KEY). */
  secretKey?: string | undefined;
  /** File holding that key; without either, `<dataDir>/secret.key` (created once, mode 0600). */
  secretKeyFile?: string | undefined;
  /** Largest accepted PCAP upload (paths.md: configurable, 100 MB by default). */
  pcapMaxBytes: number;
  /** A node with no heartbeat or metrics for this long is offline. */
  offlineAfterSeconds: number;
  sessionTtlSeconds: number;
  defaultRateLimitPerMinute: number;
  defaultNodeQuota: number;
  retention: { rawHours: number; minuteDays: number; hourDays: number };
  /** How often the roll-up and retention job runs. */
  rollupIntervalSeconds: number;
  /** Metrics ingest group commit: flushes start at least this many ms apart (0: back to back). */
  ingestFlushMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Set the Secure flag on the session cookie (behind HTTPS); on by default when publicUrl is https://. */
  secureCookies: boolean;
  /** Sign-in guard: failed sign-ins allowed per account and per client address within the window, and password hashes computed at once. */
  login: { windowSeconds: number; maxFailuresPerAccount: number; maxFailuresPerAddress: number; maxConcurrentHashes: number };
  /** The address operators reach the dashboard at; links in notifications point there. */
  publicUrl: string | undefined;
  /** GET /metrics (Prometheus) on the server's port; false: 404. */
  metricsEnabled: boolean;
  /** Bearer token any client may read /metrics with; without one, loopback clients only. */
  metricsToken?: string | undefined;
  /** Notification outbox: polling, retries and per-channel pacing. */
  outbox: OutboxOptions;
  /** Deadline for one delivery attempt to a provider. */
  notifyTimeoutMs: number;
  /** Mitigation: rule expiry/retry pass, speaker reconciliation, per-operation deadline, announce attempts. */
  mitigation: { tickMs: number; reconcileMs: number; timeoutMs: number; maxAttempts: number } & MitigationLocalConfig;
  /** Non-public ranges channels and adapters may call, per type (see outbound-config.ts). */
  outbound: OutboundConfig;
  /** Cloud scrubbing: pass interval, provider status polling, reconciliation, per-request deadline, enable attempts. */
  scrubbing: { tickMs: number; pollMs: number; reconcileMs: number; timeoutMs: number; maxAttempts: number };
  /** Several replicas: leases and the bus (keys and defaults in cluster/cluster-config.ts, checked when the server starts). */
  cluster?: Partial<ClusterConfig>;
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  databaseUrl: undefined,
  pcapMaxBytes: 100 * 1024 * 1024,
  offlineAfterSeconds: 90,
  sessionTtlSeconds: 12 * 3600,
  defaultRateLimitPerMinute: 1000,
  defaultNodeQuota: 100_000,
  retention: { rawHours: 48, minuteDays: 30, hourDays: 400 },
  rollupIntervalSeconds: 60,
  ingestFlushMs: 5,
  logLevel: 'info',
  secureCookies: false,
  login: { windowSeconds: 900, maxFailuresPerAccount: 10, maxFailuresPerAddress: 30, maxConcurrentHashes: 4 },
  publicUrl: undefined,
  metricsEnabled: true,
  outbox: DEFAULT_OUTBOX,
  notifyTimeoutMs: 10_000,
  mitigation: { tickMs: 500, reconcileMs: 30_000, timeoutMs: 5_000, maxAttempts: 5, ...DEFAULT_MITIGATION_LOCAL },
  outbound: DEFAULT_OUTBOUND,
  scrubbing: { tickMs: 1000, pollMs: 15_000, reconcileMs: 300_000, timeoutMs: 10_000, maxAttempts: 5 },
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (minimum: number, maximum: number, dflt: number) => Type.Integer({ minimum, maximum, default: dflt });
const D = DEFAULT_CONFIG;

/** What each key allows, with its default: checked once, at start. */
export const ServerConfigSchema = Type.Object({
  host: Type.String({ minLength: 1, default: D.host, allowed: 'a non-empty address to listen on', echo: false }),
  port: int(0, 65535, D.port),
  dataDir: Type.String({ default: D.dataDir }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', allowed: 'a postgres:// or postgresql:// URL (leave it out for the embedded SQLite)', echo: false })),
  pcapMaxBytes: int(1024, 10 * 1024 ** 3, D.pcapMaxBytes),
  offlineAfterSeconds: int(5, 86_400, D.offlineAfterSeconds),
  sessionTtlSeconds: int(60, 30 * 86_400, D.sessionTtlSeconds),
  defaultRateLimitPerMinute: int(1, 10_000_000, D.defaultRateLimitPerMinute),
  defaultNodeQuota: int(1, 10_000_000, D.defaultNodeQuota),
  retention: Type.Object({
    rawHours: int(1, 24 * 365, D.retention.rawHours),
    minuteDays: int(1, 3650, D.retention.minuteDays),
    hourDays: int(1, 36500, D.retention.hourDays),
  }),
  rollupIntervalSeconds: int(1, 3600, D.rollupIntervalSeconds),
  ingestFlushMs: int(0, 1000, D.ingestFlushMs),
  logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), { default: D.logLevel }),
  secureCookies: Type.Boolean({ default: D.secureCookies }),
  login: Type.Object({
    windowSeconds: int(1, 86_400, D.login.windowSeconds),
    maxFailuresPerAccount: int(1, 10_000, D.login.maxFailuresPerAccount),
    maxFailuresPerAddress: int(1, 100_000, D.login.maxFailuresPerAddress),
    maxConcurrentHashes: int(1, 64, D.login.maxConcurrentHashes),
  }),
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://\\S+$', allowed: 'an http:// or https:// URL' })),
  metricsEnabled: Type.Boolean({ default: D.metricsEnabled }),
  metricsToken: Type.Optional(Type.String({ pattern: '^\\S{16,256}$', allowed: '16 to 256 characters without spaces', echo: false })),
  outbox: Type.Object({
    pollMs: int(10, 60_000, D.outbox.pollMs),
    leaseMs: int(1000, 3_600_000, D.outbox.leaseMs),
    maxAttempts: int(1, 100, D.outbox.maxAttempts),
    backoffBaseMs: int(1, 3_600_000, D.outbox.backoffBaseMs),
    backoffMaxMs: int(1, 86_400_000, D.outbox.backoffMaxMs),
    perChannelIntervalMs: int(0, 3_600_000, D.outbox.perChannelIntervalMs),
    concurrency: int(1, 1000, D.outbox.concurrency),
  }),
  notifyTimeoutMs: int(50, 120_000, D.notifyTimeoutMs),
  mitigation: Type.Object({
    tickMs: int(50, 60_000, D.mitigation.tickMs),
    reconcileMs: int(200, 3_600_000, D.mitigation.reconcileMs),
    timeoutMs: int(50, 120_000, D.mitigation.timeoutMs),
    maxAttempts: int(1, 100, D.mitigation.maxAttempts),
  }),
  scrubbing: Type.Object({
    tickMs: int(20, 60_000, D.scrubbing.tickMs),
    pollMs: int(20, 3_600_000, D.scrubbing.pollMs),
    reconcileMs: int(100, 86_400_000, D.scrubbing.reconcileMs),
    timeoutMs: int(50, 120_000, D.scrubbing.timeoutMs),
    maxAttempts: int(1, 100, D.scrubbing.maxAttempts),
  }),
  cluster: Type.Optional(ClusterConfigSchema),
});

export function resolveConfig(
  partial: Partial<Omit<ServerConfig, 'retention' | 'outbox' | 'mitigation' | 'login' | 'outbound' | 'scrubbing'>> & { scrubbing?: Partial<ServerConfig['scrubbing']> } & { outbound?: Partial<OutboundConfig> } & { retention?: Partial<ServerConfig['retention']>; outbox?: Partial<OutboxOptions>; mitigation?: Partial<ServerConfig['mitigation']> }
    & { login?: Partial<ServerConfig['login']> },
): ServerConfig {
  const c: ServerConfig = {
    ...DEFAULT_CONFIG, ...partial, retention: { ...DEFAULT_CONFIG.retention, ...partial.retention }, outbox: { ...DEFAULT_CONFIG.outbox, ...partial.outbox },
    mitigation: { ...DEFAULT_CONFIG.mitigation, ...partial.mitigation },
    login: { ...DEFAULT_CONFIG.login, ...partial.login },
    scrubbing: { ...DEFAULT_CONFIG.scrubbing, ...partial.scrubbing },
    outbound: resolveOutbound(partial.outbound),
  };
  // Behind TLS the session cookie must never travel in the clear: an https:// public URL says so.
  if (partial.secureCookies === undefined) c.secureCookies = c.publicUrl?.startsWith('https://') ?? false;
  validateConfig(ServerConfigSchema, c, { label: 'config ' });
  // The cap may not be under the base: a bound that depends on another key.
  validateConfig(Type.Integer({ minimum: c.outbox.backoffBaseMs, maximum: 86_400_000 }), c.outbox.backoffMaxMs, { label: 'config ', rootKey: 'outbox.backoffMaxMs' });
  const dataDir = resolve(c.dataDir);
  return { ...c, dataDir, mitigation: { ...c.mitigation, ...resolveMitigationLocal(c.mitigation, dataDir) } };
}
