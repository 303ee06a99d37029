// The agent's config file: where the server is, the node's identity and key, and local
// policy. It holds a credential, so it must be readable by its owner only; loading
// refuses a file others can read, and every key is checked with a message naming it.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Type, type Static } from 'typebox';
// Only the validator, not every contract: reading the config (enroll, the CLI) stays ~10 MB lighter.
import { ConfigError, validateConfig } from '@breakwater/contracts/config-check';

export const AGENT_DEFAULTS = {
  interface: 'eth0',
  spool_dir: '/var/lib/breakwater/spool',
  pcap_dir: '/var/lib/breakwater/pcap',
  pcap_ring_packets: 10_000,
  pcap_max_bytes: 50 * 1024 * 1024,
  pcap_part_seconds: 60,
  pcap_part_bytes: 10 * 1024 * 1024,
  config_poll_seconds: 300,
  allow_raw_commands: false,
  exclude_server_traffic: true,
  failsafe_release_seconds: 300,
  allow_insecure_http: false,
} as const;

// Checked by contracts' validateConfig: an error reads "KEY must be WHAT IS ALLOWED, got VALUE", where
// a number's bounds and a boolean say it themselves and `allowed` says it for a string.
const int = (min: number, max: number, d: number) => Type.Integer({ minimum: min, maximum: max, default: d });
const flag = (d: boolean) => Type.Boolean({ default: d });
const absolute = (d: string) => Type.String({ pattern: '^/', default: d, allowed: 'an absolute path' });

/** The agent's config file, with its defaults. Its key order is the one "allowed: …" lists. */
export const AgentConfigSchema = Type.Object({
  server_url: Type.String({ pattern: '^https?://', allowed: 'an http:// or https:// URL' }),
  node_uuid: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', allowed: 'the node UUID from enrolment' }),
  // A credential: never repeated in an error.
  api_key: Type.String({ pattern: '^[0-9a-f]{64}$', allowed: 'the 64-hex node key from enrolment', writeOnly: true, echo: false }),
  /** The address protected here; defaults to the interface's address. */
  ip: Type.Optional(Type.String({ allowed: 'an IPv4 or IPv6 address' })),
  // Its keys are the detection engine's: checkDetectionConfig() validates them when the agent
  // starts, so that reading this file does not load the engine.
  detection: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { allowed: 'an object' })),
  interface: Type.String({ pattern: '^[A-Za-z0-9_.:@-]{1,15}$', default: AGENT_DEFAULTS.interface, allowed: 'an interface name (1-15 of A-Z a-z 0-9 _ . : @ -)' }),
  spool_dir: absolute(AGENT_DEFAULTS.spool_dir),
  pcap_dir: absolute(AGENT_DEFAULTS.pcap_dir),
  /** Packets kept before an attack starts, so a PCAP shows how it began. */
  pcap_ring_packets: int(0, 1_000_000, AGENT_DEFAULTS.pcap_ring_packets),
  /** Largest PCAP kept per incident (all its parts together). */
  pcap_max_bytes: int(65_536, 10 * 1024 ** 3, AGENT_DEFAULTS.pcap_max_bytes),
  /** A long attack's capture is cut into parts of at most this many seconds, each uploaded when it closes. */
  pcap_part_seconds: int(1, 86_400, AGENT_DEFAULTS.pcap_part_seconds),
  /** ... or of at most this many bytes, whichever comes first. */
  pcap_part_bytes: int(65_536, 10 * 1024 ** 3, AGENT_DEFAULTS.pcap_part_bytes),
  /** GET config (and pending commands) this often; commands normally arrive at once on the push stream. */
  config_poll_seconds: int(1, 86_400, AGENT_DEFAULTS.config_poll_seconds),
  /** Raw shell-free commands from the server (`command_type: "exec"`) run only when true. */
  allow_raw_commands: flag(AGENT_DEFAULTS.allow_raw_commands),
  /** The agent's own traffic to the server is left out of capture. */
  exclude_server_traffic: flag(AGENT_DEFAULTS.exclude_server_traffic),
  /** Every firewall rule the agent applied is taken back when the server has not been reached for this long. */
  failsafe_release_seconds: int(5, 7 * 86_400, AGENT_DEFAULTS.failsafe_release_seconds),
  /** A plain http:// server_url to a host other than loopback is refused unless this is true (the node key would cross the network in clear). */
  allow_insecure_http: flag(AGENT_DEFAULTS.allow_insecure_http),
}, { additionalProperties: false });

export type AgentConfig = Static<typeof AgentConfigSchema>;

export class AgentConfigError extends Error {}

/** localhost, 127.0.0.0/8 or ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  // URL() writes ::ffff:127.0.0.1 as ::ffff:7f00:1
  return h === '::1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(h);
}

/** Why a server URL is refused (plain http:// to another machine without the opt-in), or null. */
export function insecureUrlProblem(url: URL, allowInsecureHttp: boolean, flag: string): string | null {
  if (url.protocol !== 'http:' || allowInsecureHttp || isLoopbackHost(url.hostname)) return null;
  return `plain http:// to ${url.hostname} would send the node key in clear; use https://, or set ${flag} to accept the risk`;
}

function fail(path: string, key: string, what: string, got: unknown): never {
  throw new AgentConfigError(`${path}: ${key} ${what}, got ${JSON.stringify(got)}`);
}

/** Checks a config against the schema (defaults filled in); the error names the key and what it allows. */
export function validateAgentConfig(raw: unknown, path = 'config'): AgentConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AgentConfigError(`${path}: must be a JSON object`);
  let c: AgentConfig;
  try {
    c = validateConfig(AgentConfigSchema, raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One problem, in the agent's words (the CLI prints it): an unknown key before a bad value.
    const p = err.problems.find((q) => q.unknown) ?? err.problems[0]!;
    const allowed = Object.keys(AgentConfigSchema.properties).join(', ');
    throw new AgentConfigError(p.unknown ? `${path}: unknown key ${JSON.stringify(p.key)}; allowed: ${allowed}` : `${path}: ${p.key} ${p.message}`);
  }
  let url: URL;
  try {
    url = new URL(String(c.server_url));
  } catch {
    fail(path, 'server_url', 'must be an http:// or https:// URL', c.server_url);
  }
  const insecure = insecureUrlProblem(url, c.allow_insecure_http, '"allow_insecure_http": true');
  if (insecure) fail(path, 'server_url', `must be https:// (${insecure})`, c.server_url);
  if (c.ip !== undefined && isIP(c.ip) === 0) fail(path, 'ip', 'must be an IPv4 or IPv6 address', c.ip);
  return c;
}

export function loadAgentConfig(path: string): AgentConfig {
  if (!existsSync(path)) throw new AgentConfigError(`${path}: no such file; run "breakwater agent enroll" first`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AgentConfigError(`${path}: holds the node key but is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AgentConfigError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return validateAgentConfig(raw, path);
}

/** Written to a temporary file with mode 0600 and renamed over: never half-written, never briefly public. */
export function writeAgentConfig(path: string, config: AgentConfig): void {
  validateAgentConfig(config, path);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function isAddress(s: string): boolean {
  return isIP(s) !== 0;
}
