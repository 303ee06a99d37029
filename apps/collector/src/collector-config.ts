// The collector's config file: the server and the node's key (from enrolment), what it listens
// on, which networks it protects and which exporters it trusts. It holds a credential, so it
// must be readable by its owner only; every key is checked with a message naming it.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Type, type Static } from 'typebox';
import { ConfigError, validateConfig } from '@breakwater/contracts/config-check';
import { parsePrefix } from '@breakwater/contracts';
import { metricsListenProblem } from '@breakwater/uplink';

export const COLLECTOR_DEFAULTS = {
  spool_dir: '/var/lib/breakwater/collector-spool',
  queue_datagrams: 65_536,
  socket_buffer_bytes: 8 * 1024 * 1024,
  status_interval_seconds: 10,
  allow_insecure_http: false,
} as const;

const int = (min: number, max: number, d: number) => Type.Integer({ minimum: min, maximum: max, default: d });
const endpoint = Type.String({ pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[0-9.]+|[0-9A-Fa-f:]+):[0-9]{1,5}$', allowed: 'ADDR:PORT, e.g. 0.0.0.0:2055 or [::]:6343' });

export const CollectorConfigSchema = Type.Object({
  server_url: Type.String({ pattern: '^https?://', allowed: 'an http:// or https:// URL' }),
  node_uuid: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', allowed: 'the node UUID from enrolment' }),
  api_key: Type.String({ pattern: '^[0-9a-f]{64}$', allowed: 'the 64-hex node key from enrolment', writeOnly: true, echo: false }),
  /** Protected networks: one detection engine per address inside them that traffic goes to. */
  networks: Type.Array(Type.String({ allowed: 'an IPv4/IPv6 address or prefix' }), { minItems: 1, maxItems: 1024, allowed: 'a list of 1 to 1024 prefixes (e.g. ["203.0.113.0/24"])' }),
  /** UDP listeners; NetFlow v5/v9 and IPFIX are told apart by their version field, so one port may serve all three. */
  listen: Type.Object({
    netflow: Type.Optional(endpoint),
    ipfix: Type.Optional(endpoint),
    sflow: Type.Optional(endpoint),
  }, { additionalProperties: false, allowed: 'an object with netflow, ipfix and/or sflow: "ADDR:PORT"' }),
  /** Exporters whose datagrams are decoded (addresses or prefixes); others are counted and dropped. Absent: every exporter. */
  allowed_exporters: Type.Optional(Type.Array(Type.String({ allowed: 'an IPv4/IPv6 address or prefix' }), { maxItems: 4096, allowed: 'a list of addresses or prefixes' })),
  /** Operator sampling rate per exporter address (1 in N), over what the exporter says. */
  sampling_overrides: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 1_000_000 }), { allowed: 'an object: exporter address → integer 1..1000000' })),
  spool_dir: Type.String({ pattern: '^/', default: COLLECTOR_DEFAULTS.spool_dir, allowed: 'an absolute path' }),
  /** Datagrams held between the sockets and the decoders; past this, datagrams are dropped and counted per exporter. */
  queue_datagrams: int(16, 4_000_000, COLLECTOR_DEFAULTS.queue_datagrams),
  /** SO_RCVBUF asked for each socket (the kernel caps it at net.core.rmem_max). */
  socket_buffer_bytes: int(65_536, 1024 ** 3, COLLECTOR_DEFAULTS.socket_buffer_bytes),
  /** Exporter status and top talkers go to the server this often. */
  status_interval_seconds: int(1, 3600, COLLECTOR_DEFAULTS.status_interval_seconds),
  allow_insecure_http: Type.Boolean({ default: COLLECTOR_DEFAULTS.allow_insecure_http }),
  /** Detection engine parameters (packages/detection/README.md), the same as an agent's; per-host overrides apply per protected address. */
  detection: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { allowed: 'an object' })),
  /** Prometheus metrics of this collector on ADDR:PORT (GET /metrics, no credentials: keep it on loopback or a management address); absent: off. */
  metrics_listen: Type.Optional(Type.String({ allowed: 'ADDR:PORT with an IPv4 or IPv6 address (e.g. "127.0.0.1:9102")' })),
}, { additionalProperties: false });

export type CollectorConfig = Static<typeof CollectorConfigSchema>;

export class CollectorConfigError extends Error {}

const fail = (path: string, key: string, what: string, got: unknown): never => {
  throw new CollectorConfigError(`${path}: ${key} ${what}, got ${JSON.stringify(got)}`);
};

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || (isIP(h) === 4 && h.startsWith('127.')) || h === '::1';
}

/** "ADDR:PORT" or "[v6]:PORT" → parts (the schema checked the shape). */
export function parseEndpoint(text: string): { address: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text)!;
  return { address: m[1]!, port: Number(m[2]) };
}

export function validateCollectorConfig(raw: unknown, path = 'config'): CollectorConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CollectorConfigError(`${path}: must be a JSON object`);
  let c: CollectorConfig;
  try {
    c = validateConfig(CollectorConfigSchema, raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const p = err.problems.find((q) => q.unknown) ?? err.problems[0]!;
    const allowed = Object.keys(CollectorConfigSchema.properties).join(', ');
    throw new CollectorConfigError(p.unknown && !p.key.includes('.') ? `${path}: unknown key ${JSON.stringify(p.key)}; allowed: ${allowed}` : `${path}: ${p.key} ${p.message}`);
  }
  let url: URL | null = null;
  try {
    url = new URL(c.server_url);
  } catch {
    fail(path, 'server_url', 'must be an http:// or https:// URL', c.server_url);
  }
  if (url!.protocol === 'http:' && !c.allow_insecure_http && !isLoopbackHost(url!.hostname)) {
    fail(path, 'server_url', 'must be https:// (plain http would send the node key in clear; set "allow_insecure_http": true to accept the risk)', c.server_url);
  }
  c.networks.forEach((n, i) => { if (!parsePrefix(n)) fail(path, `networks[${i}]`, 'must be an IPv4/IPv6 address or prefix (e.g. 203.0.113.0/24)', n); });
  (c.allowed_exporters ?? []).forEach((n, i) => { if (!parsePrefix(n)) fail(path, `allowed_exporters[${i}]`, 'must be an IPv4/IPv6 address or prefix', n); });
  for (const k of Object.keys(c.sampling_overrides ?? {})) if (isIP(k) === 0) fail(path, `sampling_overrides.${k}`, 'must be keyed by an exporter\'s IPv4 or IPv6 address', k);
  const metricsProblem = c.metrics_listen === undefined ? null : metricsListenProblem(c.metrics_listen);
  if (metricsProblem) fail(path, 'metrics_listen', metricsProblem, c.metrics_listen);
  const listeners = Object.entries(c.listen);
  if (listeners.length === 0) fail(path, 'listen', 'must name at least one of netflow, ipfix, sflow', c.listen);
  const seen = new Map<string, string>();
  for (const [kind, ep] of listeners) {
    const { address, port } = parseEndpoint(ep);
    if (isIP(address) === 0) fail(path, `listen.${kind}`, 'must be ADDR:PORT with an IPv4 or IPv6 address', ep);
    if (port < 1 || port > 65535) fail(path, `listen.${kind}`, 'must have a port from 1 to 65535', ep);
    // NetFlow and IPFIX may share a socket (told apart by version); sFlow gets its own.
    const other = seen.get(ep);
    if (other && (kind === 'sflow' || other === 'sflow')) fail(path, `listen.${kind}`, `must differ from listen.${other}`, ep);
    seen.set(ep, kind);
  }
  return c;
}

export function loadCollectorConfig(path: string): CollectorConfig {
  if (!existsSync(path)) throw new CollectorConfigError(`${path}: no such file; run "breakwater collector enroll" first`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new CollectorConfigError(`${path}: holds the node key but is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CollectorConfigError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return validateCollectorConfig(raw, path);
}

export function writeCollectorConfig(path: string, config: CollectorConfig): void {
  validateCollectorConfig(config, path);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
