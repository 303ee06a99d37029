// gobgpd in a namespace with its gRPC API on a unix socket in the run's temp dir, so the
// adapter (and the `gobgp` CLI observer) reach it from the root namespace.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRestartable, type RestartableDaemon } from './daemon.ts';
import { run, runOk } from './exec.ts';
import { waitFor } from '../wait.ts';

export interface GobgpNeighbor {
  address: string; peerAs: number; localAddress: string; families: string[];
  /** Wait for the peer to connect (for a peer that does not listen itself). */
  passive?: boolean;
}

/** listenPort -1 makes gobgpd only connect out (for a namespace where another daemon owns port 179). */
export function gobgpdConfig(o: { as: number; routerId: string; listenAddresses: string[]; neighbors: GobgpNeighbor[]; listenPort?: number }): string {
  const nb = o.neighbors.map((n) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n.address}"
    peer-as = ${n.peerAs}
  [neighbors.transport.config]
    local-address = "${n.localAddress}"
${n.passive ? '    passive-mode = true\n' : ''}  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
${n.families.map((f) => `  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "${f}"`).join('\n')}
`).join('');
  return `[global.config]
  as = ${o.as}
  router-id = "${o.routerId}"
  local-address-list = [${o.listenAddresses.map((a) => `"${a}"`).join(', ')}]
${o.listenPort !== undefined ? `  port = ${o.listenPort}\n` : ''}${nb}`;
}

export interface GobgpdInstance extends RestartableDaemon {
  /** unix:///… target for gRPC clients and `gobgp --target`. */
  target: string;
  gobgp(args: string[]): Promise<string>;
  waitEstablished(neighbors: string[], timeoutMs?: number): Promise<void>;
}

export async function startGobgpd(o: { ns: string; dir: string; name: string; config: string }): Promise<GobgpdInstance> {
  const configPath = join(o.dir, `${o.name}.toml`);
  const sock = join(o.dir, `${o.name}.sock`);
  const target = `unix://${sock}`;
  writeFileSync(configPath, o.config);
  const gobgp = (args: string[]) => runOk('gobgp', ['--target', target, ...args], { timeoutMs: 5000 });
  const d = await startRestartable({
    name: `gobgpd ${o.name}`, ns: o.ns, cmd: 'gobgpd', args: ['-f', configPath, '-t', 'toml', '-p', '--api-hosts', target, '--pprof-disable', '-l', 'warn'],
    // A killed gobgpd leaves its socket behind and would refuse to bind it again.
    beforeStart: () => rmSync(sock, { force: true }),
    readyWhat: `API on ${sock}`,
    ready: async () => (await run('gobgp', ['--target', target, 'global'], { timeoutMs: 2000 })).code === 0,
  });
  return {
    target, gobgp,
    waitEstablished: async (neighbors, timeoutMs = 20_000) => {
      await waitFor(`gobgpd ${o.name} neighbors ${neighbors.join(', ')} Established`, async () => {
        const list = JSON.parse(await gobgp(['-j', 'neighbor'])) as { state?: { neighbor_address?: string; session_state?: number | string } }[];
        const up = new Set(list.filter((n) => n.state?.session_state === 6 || n.state?.session_state === 'ESTABLISHED').map((n) => n.state?.neighbor_address));
        return neighbors.every((n) => up.has(n));
      }, timeoutMs, 100);
    },
    ...d,
  };
}
