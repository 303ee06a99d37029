// ExaBGP 4.2 in a namespace, in the foreground, logging to stdout, with its API process
// (Breakwater's bridge) given by the caller. Ready when the bridge's socket exists.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './daemon.ts';
import { waitFor } from '../wait.ts';

export interface ExabgpNeighbor { address: string; localAddress: string; routerId: string; localAs: number; peerAs: number; families: string[] }

export function exabgpConfig(o: { processCommand: string; neighbors: ExabgpNeighbor[] }): string {
  const nb = o.neighbors.map((n) => `neighbor ${n.address} {
  router-id ${n.routerId};
  local-address ${n.localAddress};
  local-as ${n.localAs};
  peer-as ${n.peerAs};
  family { ${n.families.map((f) => `${f};`).join(' ')} }
  api { processes [ ctl ]; }
}`).join('\n');
  return `process ctl {\n  run ${o.processCommand};\n  encoder json;\n}\n${nb}\n`;
}

export interface ExabgpInstance {
  daemon: () => Daemon;
  stop: () => Promise<void>;
  restart: () => Promise<void>;
}

/** `socket` is the file the API process creates once it runs; start waits for it. */
export async function startExabgp(o: { ns: string; dir: string; name: string; config: string; socket: string }): Promise<ExabgpInstance> {
  const configPath = join(o.dir, `${o.name}.conf`);
  writeFileSync(configPath, o.config);
  let d: Daemon;
  const launch = async () => {
    rmSync(o.socket, { force: true });
    d = startDaemon(`exabgp ${o.name}`, o.ns, 'exabgp', [configPath], {
      exabgp_daemon_user: 'root', exabgp_daemon_daemonize: 'false', exabgp_api_cli: 'false',
      exabgp_log_destination: 'stdout', exabgp_api_ack: 'true',
    });
    try {
      await waitFor(`exabgp ${o.name}'s API process socket ${o.socket}`, () => {
        if (d.exited()) throw new Error(`exabgp exited: ${d.output()}`);
        return existsSync(o.socket);
      }, 15_000, 50);
    } catch (err) {
      // Never leave a half-started daemon behind a failed start.
      await d.stop('SIGKILL');
      throw err;
    }
  };
  await launch();
  return {
    daemon: () => d,
    stop: async () => { await d.stop(); },
    restart: async () => { await d.stop('SIGKILL'); await launch(); },
  };
}
