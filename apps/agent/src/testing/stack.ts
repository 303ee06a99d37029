// A Breakwater server and an enrolled agent running inside a test's victim namespace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type TestNet } from '@breakwater/testing';

export const BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'breakwater.mjs');

export function inNs(ns: string, args: string[]) {
  return spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...args], { encoding: 'utf8', timeout: 30_000 });
}

export interface StackOptions {
  port?: number;
  /** Extra keys merged into the agent's config file (e.g. pcap_part_seconds). */
  agentConfig?: Record<string, unknown>;
  /** Flags for the agent's node process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Environment added to the agent's (e.g. BREAKWATER_CONFIG_POLL_MS). */
  agentEnv?: Record<string, string>;
}

export interface Stack {
  url: string;
  /** The agent process (`ip netns exec` replaces itself with it: the pid is node's). */
  agentPid: number;
  dataDir: string;
  apiToken: string;
  nodeUuid: string;
  /** GET on the server (through the namespace: this process cannot reach its loopback). */
  get(path: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on reply shapes
  post(path: string, body: unknown): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on reply shapes
  /** What the agent wrote to stderr so far (also echoed to this process's stderr). */
  agentLog(): string;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  stopAll(): Promise<void>;
}

export async function startStack(n: TestNet, dir: string, detection: Record<string, unknown>, options: StackOptions = {}): Promise<Stack> {
  const port = options.port ?? 20_000 + Math.floor(Math.random() * 20_000);
  const children: ChildProcess[] = [];
  let server: ChildProcess | null = null;
  let out = '';
  const startServer = async () => {
    out = '';
    server = spawn('ip', ['netns', 'exec', n.victim, process.execPath, BIN, 'server', '--port', String(port), '--data-dir', join(dir, 'server'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('server listening', () => /listening on (\S+)/.test(out), 30_000);
  };
  const stopServer = async () => {
    const s = server;
    if (!s || s.exitCode !== null) return;
    s.kill('SIGTERM');
    await new Promise((r) => s.once('exit', r));
  };
  await startServer();
  const url = `http://127.0.0.1:${port}`;
  const deployToken = /Deploy token:\s+(\S+)/.exec(out)![1]!;
  const apiToken = /API token:\s+(\S+)/.exec(out)![1]!;
  const configPath = join(dir, 'agent.json');
  const enrolled = inNs(n.victim, [BIN, 'agent', 'enroll', '--server', url, '--deploy-token', deployToken, '--name', 'victim', '--interface', n.victimIf, '--ip', n.victimIp, '--config', configPath]);
  if (enrolled.status !== 0) throw new Error(enrolled.stderr);
  const nodeUuid = /enrolled as node (\S+);/.exec(enrolled.stdout)![1]!;
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  Object.assign(config, { spool_dir: join(dir, 'spool'), pcap_dir: join(dir, 'pcap'), detection, ...options.agentConfig });
  writeFileSync(configPath, JSON.stringify(config));
  chmodSync(configPath, 0o600);
  const agent = spawn('ip', ['netns', 'exec', n.victim, process.execPath, ...(options.nodeArgs ?? []), BIN, 'agent', 'run', '--config', configPath], {
    stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ...options.agentEnv },
  });
  children.push(agent);
  let agentLog = '';
  agent.stderr.on('data', (d: Buffer) => {
    agentLog = (agentLog + d.toString()).slice(-1_000_000);
    process.stderr.write(d);
  });
  const request = (path: string, body?: unknown) => {
    const init = body === undefined ? '' : `, method: 'POST', body: ${JSON.stringify(JSON.stringify(body))}`;
    const js = `const r = await fetch(${JSON.stringify(url + path)}, { headers: { authorization: ${JSON.stringify(`Bearer ${apiToken}`)}, 'content-type': 'application/json' }${init} }); process.stdout.write(await r.text());`;
    const r = inNs(n.victim, ['--input-type=module', '-e', js]);
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
  const get = (path: string) => request(path);
  const post = (path: string, body: unknown) => request(path, body);
  // 60 s: a fresh compile cache is primed and loaded at start, ~20-30 s on a machine as busy as CI's.
  await waitFor('node online (heartbeat)', () => get(`/api/v1/nodes/${nodeUuid}`).data?.status === 'online', 60_000, 200);
  return {
    url, apiToken, nodeUuid, get, post, startServer, stopServer, agentPid: agent.pid!, dataDir: join(dir, 'server'), agentLog: () => agentLog,
    async stopAll() {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
      await stopServer();
    },
  };
}
