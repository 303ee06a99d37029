// `breakwater agent enroll`: registers this machine with the deploy API and writes the
// node's identity and key to the agent config (root-only).
import { existsSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { AGENT_DEFAULTS, AgentConfigError, insecureUrlProblem, isAddress, isLoopbackHost, writeAgentConfig, type AgentConfig } from './agent-config.ts';
import { COMMAND_KEY_HEADER } from '@breakwater/contracts/plain';

export interface EnrollOptions {
  server: string;
  deployToken: string;
  configPath: string;
  name?: string | undefined;
  interface?: string | undefined;
  ip?: string | undefined;
  force?: boolean | undefined;
  /** Accept a plain http:// server on another machine (written to the config as allow_insecure_http). */
  allowInsecureHttp?: boolean | undefined;
  /** Told when the server is reached over plain http on another machine. */
  warn?: (msg: string) => void;
  fetch?: typeof fetch;
}

/** The first global unicast address on the interface (IPv4 preferred): what the node is known by. */
export function interfaceAddress(iface: string): string | undefined {
  const addrs = networkInterfaces()[iface] ?? [];
  const usable = addrs.filter((a) => !a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')));
  return (usable.find((a) => a.family === 'IPv4') ?? usable[0])?.address;
}

export async function enroll(o: EnrollOptions): Promise<AgentConfig> {
  if (existsSync(o.configPath) && !o.force) {
    throw new AgentConfigError(`${o.configPath}: already exists (this machine is enrolled); pass --force to enrol again as a new node`);
  }
  let url: URL;
  try {
    url = new URL(o.server);
  } catch {
    throw new AgentConfigError(`--server: must be an https:// URL, got ${JSON.stringify(o.server)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AgentConfigError(`--server: must be an https:// URL, got ${JSON.stringify(o.server)}`);
  // Refused before the deploy token is sent anywhere in clear.
  const insecure = insecureUrlProblem(url, o.allowInsecureHttp === true, '--allow-insecure-http');
  if (insecure) throw new AgentConfigError(`--server: ${insecure}`);
  const plainRemote = url.protocol === 'http:' && !isLoopbackHost(url.hostname);
  if (plainRemote) (o.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(`${o.server} is plain http: the deploy token and the node key cross the network unencrypted`);
  const iface = o.interface ?? AGENT_DEFAULTS.interface;
  const ip = o.ip ?? interfaceAddress(iface);
  if (!ip || !isAddress(ip)) throw new AgentConfigError(`--ip: interface ${iface} has no usable address; pass --ip ADDRESS`);
  const base = o.server.replace(/\/+$/, '');
  const res = await (o.fetch ?? fetch)(`${base}/api/deploy`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.deployToken}`, 'content-type': 'application/json', 'user-agent': 'breakwater-agent' },
    body: JSON.stringify({ name: o.name ?? hostname(), ip, interface: iface }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as { ok?: boolean; node_uuid?: string; api_key?: string; error?: { message?: string } };
  const commandKey = res.headers.get(COMMAND_KEY_HEADER);
  if (res.status !== 200 || !body.node_uuid || !body.api_key) {
    throw new AgentConfigError(`enrolment refused by ${base}: HTTP ${res.status} ${body.error?.message ?? ''}`.trim());
  }
  const config: AgentConfig = {
    ...AGENT_DEFAULTS, server_url: base, node_uuid: body.node_uuid, api_key: body.api_key, interface: iface,
    // Pinned now: every command this agent runs must be signed by this key.
    ...(commandKey ? { command_public_key: commandKey } : {}),
    ...(plainRemote ? { allow_insecure_http: true } : {}),
  };
  writeAgentConfig(o.configPath, config);
  return config;
}
