// ExaBGP 4.2 in a namespace, in the foreground, logging to stdout, with its API process
// (Breakwater's bridge) given by the caller. Ready when the bridge's socket exists.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRestartable, type RestartableDaemon } from './daemon.ts';

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

export type ExabgpInstance = RestartableDaemon;

/** `socket` is the file the API process creates once it runs; start waits for it. */
export async function startExabgp(o: { ns: string; dir: string; name: string; config: string; socket: string }): Promise<ExabgpInstance> {
  const configPath = join(o.dir, `${o.name}.conf`);
  writeFileSync(configPath, o.config);
  return startRestartable({
    name: `exabgp ${o.name}`, ns: o.ns, cmd: 'exabgp', args: [configPath],
    env: {
      exabgp_daemon_user: 'root', exabgp_daemon_daemonize: 'false', exabgp_api_cli: 'false',
      exabgp_log_destination: 'stdout', exabgp_api_ack: 'true',
    },
    beforeStart: () => rmSync(o.socket, { force: true }),
    readyWhat: `API process socket ${o.socket}`,
    ready: () => existsSync(o.socket),
    timeoutMs: 15_000,
  });
}
