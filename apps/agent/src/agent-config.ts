// The agent's config file: where the server is, the node's identity and key, and local
// policy. It holds a credential, so it must be readable by its owner only; loading
// refuses a file others can read, and every key is checked with a message naming it.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Static } from 'typebox';
// The plain checker and a generated copy of the schema, not TypeBox: see agent-config-schema.ts.
import { ConfigError, validatePlainConfig } from '@breakwater/contracts/plain';
import type { AgentConfigSchema } from './agent-config-schema.ts';
import { AGENT_CONFIG_PLAIN } from './agent-config-schema.generated.ts';
import { metricsListenProblem } from '@breakwater/uplink';

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
  file_max_bytes: 64 * 1024 * 1024,
} as const;

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
    c = validatePlainConfig<AgentConfig>(AGENT_CONFIG_PLAIN, raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One problem, in the agent's words (the CLI prints it): an unknown key before a bad value.
    const p = err.problems.find((q) => q.unknown) ?? err.problems[0]!;
    const allowed = Object.keys(AGENT_CONFIG_PLAIN.properties as object).join(', ');
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
  const metricsProblem = c.metrics_listen === undefined ? null : metricsListenProblem(c.metrics_listen);
  if (metricsProblem) fail(path, 'metrics_listen', metricsProblem, c.metrics_listen);
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
