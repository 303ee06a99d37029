// The agent's config file: where the server is, the node's identity and key, and local
// policy. It holds a credential, so it must be readable by its owner only; loading
// refuses a file others can read, and every key is checked with a message naming it.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface AgentConfig {
  server_url: string;
  node_uuid: string;
  api_key: string;
  interface: string;
  spool_dir: string;
  pcap_dir: string;
  /** Packets kept before an attack starts, so a PCAP shows how it began. */
  pcap_ring_packets: number;
  /** Largest PCAP kept per incident (all its parts together). */
  pcap_max_bytes: number;
  /** A long attack's capture is cut into parts of at most this many seconds, each uploaded when it closes. */
  pcap_part_seconds: number;
  /** ... or of at most this many bytes, whichever comes first. */
  pcap_part_bytes: number;
  /** GET config (and pending commands) this often; commands normally arrive at once on the push stream. */
  config_poll_seconds: number;
  /** Raw shell-free commands from the server (`command_type: "exec"`) run only when true. */
  allow_raw_commands: boolean;
  /** Addresses the agent's own traffic to the server comes from is excluded from capture. */
  exclude_server_traffic: boolean;
  /** Every firewall rule the agent applied is taken back when the server has not been reached for this long. */
  failsafe_release_seconds: number;
  /** A plain http:// server_url to a host other than loopback is refused unless this is true (the node key would cross the network in clear). */
  allow_insecure_http: boolean;
  /** The address protected here; defaults to the interface's address. */
  ip?: string;
  /** Local overrides of the detection engine's parameters (see packages/detection/README.md). */
  detection?: Record<string, unknown>;
}

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEYS = ['server_url', 'node_uuid', 'api_key', 'ip', 'detection', ...Object.keys(AGENT_DEFAULTS)];

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

export function validateAgentConfig(raw: unknown, path = 'config'): AgentConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AgentConfigError(`${path}: must be a JSON object`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.includes(k)) throw new AgentConfigError(`${path}: unknown key ${JSON.stringify(k)}; allowed: ${KEYS.join(', ')}`);
  const c = { ...AGENT_DEFAULTS, ...r } as Record<string, unknown>;
  let url: URL;
  try {
    url = new URL(String(c.server_url));
  } catch {
    fail(path, 'server_url', 'must be an http:// or https:// URL', c.server_url);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(path, 'server_url', 'must be an http:// or https:// URL', c.server_url);
  if (typeof c.allow_insecure_http !== 'boolean') fail(path, 'allow_insecure_http', 'must be true or false', c.allow_insecure_http);
  const insecure = insecureUrlProblem(url, c.allow_insecure_http, '"allow_insecure_http": true');
  if (insecure) fail(path, 'server_url', `must be https:// (${insecure})`, c.server_url);
  if (typeof c.node_uuid !== 'string' || !UUID.test(c.node_uuid)) fail(path, 'node_uuid', 'must be the node UUID from enrolment', c.node_uuid);
  if (typeof c.api_key !== 'string' || !/^[0-9a-f]{64}$/.test(c.api_key)) fail(path, 'api_key', 'must be the 64-hex node key from enrolment', '(hidden)');
  if (typeof c.interface !== 'string' || !/^[A-Za-z0-9_.:@-]{1,15}$/.test(c.interface)) fail(path, 'interface', 'must be an interface name (1-15 of A-Z a-z 0-9 _ . : @ -)', c.interface);
  for (const k of ['spool_dir', 'pcap_dir'] as const) if (typeof c[k] !== 'string' || !String(c[k]).startsWith('/')) fail(path, k, 'must be an absolute path', c[k]);
  if (!Number.isInteger(c.pcap_ring_packets) || (c.pcap_ring_packets as number) < 0 || (c.pcap_ring_packets as number) > 1_000_000) fail(path, 'pcap_ring_packets', 'must be an integer from 0 to 1000000', c.pcap_ring_packets);
  if (!Number.isInteger(c.pcap_max_bytes) || (c.pcap_max_bytes as number) < 65_536 || (c.pcap_max_bytes as number) > 10 * 1024 ** 3) fail(path, 'pcap_max_bytes', 'must be an integer from 65536 to 10737418240', c.pcap_max_bytes);
  const int = (k: 'pcap_part_seconds' | 'pcap_part_bytes' | 'config_poll_seconds' | 'failsafe_release_seconds', min: number, max: number) => {
    if (!Number.isInteger(c[k]) || (c[k] as number) < min || (c[k] as number) > max) fail(path, k, `must be an integer from ${min} to ${max}`, c[k]);
  };
  int('pcap_part_seconds', 1, 86_400);
  int('pcap_part_bytes', 65_536, 10 * 1024 ** 3);
  int('config_poll_seconds', 1, 86_400);
  int('failsafe_release_seconds', 5, 7 * 86_400);
  for (const k of ['allow_raw_commands', 'exclude_server_traffic'] as const) if (typeof c[k] !== 'boolean') fail(path, k, 'must be true or false', c[k]);
  if (c.ip !== undefined && (typeof c.ip !== 'string' || isIP(c.ip) === 0)) fail(path, 'ip', 'must be an IPv4 or IPv6 address', c.ip);
  // Its keys are the detection engine's: checkDetectionConfig() validates them when the agent
  // starts, so that reading this file does not load the engine.
  if (c.detection !== undefined && (typeof c.detection !== 'object' || c.detection === null || Array.isArray(c.detection))) fail(path, 'detection', 'must be an object', c.detection);
  return c as unknown as AgentConfig;
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
