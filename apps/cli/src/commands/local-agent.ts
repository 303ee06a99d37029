// `breakwater server --local-agent`: the server also watches the machine it runs on. The first
// time, it enrols a node for this machine with a one-off deploy token (revoked at once) and
// writes the agent config under the data directory; then it runs `breakwater agent run` as a
// child process, restarted if it dies, stopped with the server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { enroll, interfaceAddress, loadAgentConfig, writeAgentConfig } from '@breakwater/agent';
import { createToken, type RunningServer } from '@breakwater/server';

const BIN = new URL('../../../../bin/breakwater.mjs', import.meta.url).pathname;

/** The interface of the default IPv4 route, or loopback on a machine without one. */
export function defaultInterface(routeTable = '/proc/net/route'): string {
  try {
    for (const line of readFileSync(routeTable, 'utf8').split('\n').slice(1)) {
      const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
      if (iface && destination === '00000000' && mask === '00000000') return iface;
    }
  } catch {
    // no /proc here: fall through
  }
  return 'lo';
}

export interface LocalAgent {
  configPath: string;
  stop(): Promise<void>;
}

export async function startLocalAgent(server: RunningServer, opts: { dataDir: string; interface?: string | undefined; log: (line: string) => void }): Promise<LocalAgent | null> {
  if (process.getuid?.() !== 0) {
    opts.log('local agent: not started (packet capture and nftables need root); run `breakwater agent` on the servers to protect');
    return null;
  }
  const dir = join(opts.dataDir, 'local-agent');
  const configPath = join(dir, 'agent.json');
  const port = new URL(server.url).port;
  const serverUrl = `http://127.0.0.1:${port}`;
  if (!existsSync(configPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const iface = opts.interface ?? defaultInterface();
    const ip = iface === 'lo' ? '127.0.0.1' : interfaceAddress(iface) ?? '127.0.0.1';
    const db = server.ctx.db;
    const ws = await db.selectFrom('workspaces').select('id').orderBy('created_at').limit(1).executeTakeFirst();
    if (!ws) throw new Error('local agent: no workspace to enrol into');
    const token = await createToken(db, server.ctx.clock, ws.id, 'deploy', 'local agent enrolment', 'operator', 'breakwater server --local-agent', 'register');
    try {
      const cfg = await enroll({ server: serverUrl, deployToken: token.secret, configPath, name: `${hostname()} (local)`, interface: iface, ip });
      writeAgentConfig(configPath, { ...cfg, ip, spool_dir: join(dir, 'spool'), pcap_dir: join(dir, 'pcap') });
    } finally {
      await db.updateTable('tokens').set({ revoked_at: server.ctx.clock.now() }).where('id', '=', token.id).execute();
    }
    opts.log(`local agent: enrolled this machine on ${iface} (${ip}); config ${configPath}`);
  } else {
    // The port may differ from the last run: point the agent at this server.
    const cfg = loadAgentConfig(configPath);
    if (cfg.server_url !== serverUrl) writeAgentConfig(configPath, { ...cfg, server_url: serverUrl });
  }

  let child: ChildProcess | null = null;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | null = null;
  const launch = () => {
    const c = spawn(process.execPath, [BIN, 'agent', 'run', '--config', configPath], { stdio: ['ignore', 'inherit', 'inherit'] });
    child = c;
    c.once('exit', (code, signal) => {
      if (child === c) child = null;
      if (stopping) return;
      opts.log(`local agent: exited (${signal ?? code}); starting it again in 5 s`);
      restartTimer = setTimeout(launch, 5000);
    });
  };
  launch();
  opts.log(`local agent: running on ${loadAgentConfig(configPath).interface}, reporting to ${serverUrl}`);
  return {
    configPath,
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
