// The server's configuration: defaults, and one validation pass at start whose
// errors name the key and what is allowed.
import { resolve } from 'node:path';
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
  /** Group-commit window for metrics ingest. */
  ingestFlushMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Set the Secure flag on the session cookie (behind HTTPS); on by default when publicUrl is https://. */
  secureCookies: boolean;
  /** Sign-in guard: failed sign-ins allowed per account and per client address within the window, and password hashes computed at once. */
  login: { windowSeconds: number; maxFailuresPerAccount: number; maxFailuresPerAddress: number; maxConcurrentHashes: number };
  /** The address operators reach the dashboard at; links in notifications point there. */
  publicUrl: string | undefined;
  /** Notification outbox: polling, retries and per-channel pacing. */
  outbox: OutboxOptions;
  /** Deadline for one delivery attempt to a provider. */
  notifyTimeoutMs: number;
  /** Mitigation: rule expiry/retry pass, speaker reconciliation, per-operation deadline, announce attempts. */
  mitigation: { tickMs: number; reconcileMs: number; timeoutMs: number; maxAttempts: number } & MitigationLocalConfig;
  /** Non-public ranges channels and adapters may call, per type (see outbound-config.ts). */
  outbound: OutboundConfig;
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
  ingestFlushMs: 0,
  logLevel: 'info',
  secureCookies: false,
  login: { windowSeconds: 900, maxFailuresPerAccount: 10, maxFailuresPerAddress: 30, maxConcurrentHashes: 4 },
  publicUrl: undefined,
  outbox: DEFAULT_OUTBOX,
  notifyTimeoutMs: 10_000,
  mitigation: { tickMs: 500, reconcileMs: 30_000, timeoutMs: 5_000, maxAttempts: 5, ...DEFAULT_MITIGATION_LOCAL },
  outbound: DEFAULT_OUTBOUND,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(key: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`config ${key}: must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function resolveConfig(
  partial: Partial<Omit<ServerConfig, 'retention' | 'outbox' | 'mitigation' | 'login' | 'outbound'>> & { outbound?: Partial<OutboundConfig> } & { retention?: Partial<ServerConfig['retention']>; outbox?: Partial<OutboxOptions>; mitigation?: Partial<ServerConfig['mitigation']> }
    & { login?: Partial<ServerConfig['login']> },
): ServerConfig {
  const c: ServerConfig = {
    ...DEFAULT_CONFIG, ...partial, retention: { ...DEFAULT_CONFIG.retention, ...partial.retention }, outbox: { ...DEFAULT_CONFIG.outbox, ...partial.outbox },
    mitigation: { ...DEFAULT_CONFIG.mitigation, ...partial.mitigation },
    login: { ...DEFAULT_CONFIG.login, ...partial.login },
    outbound: resolveOutbound(partial.outbound),
  };
  // Behind TLS the session cookie must never travel in the clear: an https:// public URL says so.
  if (partial.secureCookies === undefined) c.secureCookies = c.publicUrl?.startsWith('https://') ?? false;
  if (typeof c.secureCookies !== 'boolean') throw new Error(`config secureCookies: must be true or false, got ${JSON.stringify(c.secureCookies)}`);
  int('login.windowSeconds', c.login.windowSeconds, 1, 86_400);
  int('login.maxFailuresPerAccount', c.login.maxFailuresPerAccount, 1, 10_000);
  int('login.maxFailuresPerAddress', c.login.maxFailuresPerAddress, 1, 100_000);
  int('login.maxConcurrentHashes', c.login.maxConcurrentHashes, 1, 64);
  if (c.publicUrl !== undefined && !/^https?:\/\/\S+$/.test(c.publicUrl)) throw new Error(`config publicUrl: must be an http:// or https:// URL, got ${JSON.stringify(c.publicUrl)}`);
  int('outbox.pollMs', c.outbox.pollMs, 10, 60_000);
  int('outbox.leaseMs', c.outbox.leaseMs, 1000, 3_600_000);
  int('outbox.maxAttempts', c.outbox.maxAttempts, 1, 100);
  int('outbox.backoffBaseMs', c.outbox.backoffBaseMs, 1, 3_600_000);
  int('outbox.backoffMaxMs', c.outbox.backoffMaxMs, c.outbox.backoffBaseMs, 86_400_000);
  int('outbox.perChannelIntervalMs', c.outbox.perChannelIntervalMs, 0, 3_600_000);
  int('outbox.concurrency', c.outbox.concurrency, 1, 1000);
  int('notifyTimeoutMs', c.notifyTimeoutMs, 50, 120_000);
  int('mitigation.tickMs', c.mitigation.tickMs, 50, 60_000);
  int('mitigation.reconcileMs', c.mitigation.reconcileMs, 200, 3_600_000);
  int('mitigation.timeoutMs', c.mitigation.timeoutMs, 50, 120_000);
  int('mitigation.maxAttempts', c.mitigation.maxAttempts, 1, 100);
  if (typeof c.host !== 'string' || c.host.length === 0) throw new Error('config host: must be a non-empty address to listen on');
  int('port', c.port, 0, 65535);
  int('pcapMaxBytes', c.pcapMaxBytes, 1024, 10 * 1024 ** 3);
  int('offlineAfterSeconds', c.offlineAfterSeconds, 5, 86_400);
  int('sessionTtlSeconds', c.sessionTtlSeconds, 60, 30 * 86_400);
  int('defaultRateLimitPerMinute', c.defaultRateLimitPerMinute, 1, 10_000_000);
  int('defaultNodeQuota', c.defaultNodeQuota, 1, 10_000_000);
  int('retention.rawHours', c.retention.rawHours, 1, 24 * 365);
  int('retention.minuteDays', c.retention.minuteDays, 1, 3650);
  int('retention.hourDays', c.retention.hourDays, 1, 36500);
  int('rollupIntervalSeconds', c.rollupIntervalSeconds, 1, 3600);
  int('ingestFlushMs', c.ingestFlushMs, 0, 1000);
  if (!LOG_LEVELS.includes(c.logLevel)) throw new Error(`config logLevel: must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(c.logLevel)}`);
  if (c.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(c.databaseUrl)) {
    throw new Error('config databaseUrl: must be a postgres:// or postgresql:// URL (leave it out for the embedded SQLite)');
  }
  const dataDir = resolve(c.dataDir);
  return { ...c, dataDir, mitigation: { ...c.mitigation, ...resolveMitigationLocal(c.mitigation, dataDir) } };
}
