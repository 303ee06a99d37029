// BIRD 2 in a namespace: as the upstream router that observes a speaker, or as the speaker
// itself (the bird2 adapter's test). The control socket lives in the run's temp dir, which is
// reachable from the root namespace, so birdc needs no `ip netns exec`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRestartable, type RestartableDaemon } from './daemon.ts';
import { run, runOk } from './exec.ts';
import { waitFor } from '../wait.ts';

export interface BirdPeer {
  /** Protocol name in BIRD (letters, digits, underscores). */
  name: string;
  neighbor: string;
  neighborAs: number;
  localAddress: string;
  /** ipv6 + flow6 channels instead of ipv4 + flow4. */
  v6: boolean;
}

/**
 * A BIRD with one BGP protocol per peer (ipv4 + flow4 or ipv6 + flow6 channels), each channel
 * with the given import and export filters (BIRD syntax: "all", "none", "where …"); `include`
 * names a file of further protocols read in before them.
 */
export function birdBgpConfig(o: { routerId: string; localAs: number; peers: BirdPeer[]; importFilter: string; exportFilter: string; include?: string }): string {
  const peers = o.peers.map((p) => {
    const [uni, flow, tab] = p.v6 ? ['ipv6', 'flow6', 'flowtab6'] : ['ipv4', 'flow4', 'flowtab4'];
    return `protocol bgp ${p.name} {
  local ${p.localAddress} as ${o.localAs};
  neighbor ${p.neighbor} as ${p.neighborAs};
  connect delay time 1; connect retry time 1; error wait time 1, 5;
  ${uni} { import ${o.importFilter}; export ${o.exportFilter}; };
  ${flow} { table ${tab}; import ${o.importFilter}; export ${o.exportFilter}; };
}`;
  }).join('\n');
  return `router id ${o.routerId};
protocol device {}
ipv4 table master4; ipv6 table master6;
flow4 table flowtab4; flow6 table flowtab6;
${o.include !== undefined ? `include "${o.include}";\n` : ''}${peers}
`;
}

/** An upstream that imports everything it is sent and exports nothing. */
export function upstreamBirdConfig(o: { routerId: string; localAs: number; peers: BirdPeer[] }): string {
  return birdBgpConfig({ ...o, importFilter: 'all', exportFilter: 'none' });
}

/** restart() kills BIRD and starts it again with the same config and socket. */
export interface BirdInstance extends RestartableDaemon {
  socket: string;
  configPath: string;
  birdc(args: string[]): Promise<string>;
  /** Names of protocols in state Established. */
  established(): Promise<Set<string>>;
  waitEstablished(names: string[], timeoutMs?: number): Promise<void>;
}

export async function startBird(o: { ns: string; dir: string; name: string; config: string }): Promise<BirdInstance> {
  const configPath = join(o.dir, `${o.name}.conf`);
  const socket = join(o.dir, `${o.name}.ctl`);
  writeFileSync(configPath, o.config);
  const d = await startRestartable({
    name: `bird ${o.name}`, ns: o.ns, cmd: 'bird', args: ['-f', '-c', configPath, '-s', socket, '-P', join(o.dir, `${o.name}.pid`)],
    readyWhat: `to answer on ${socket}`,
    ready: async () => (await run('birdc', ['-s', socket, 'show', 'status'], { timeoutMs: 2000 })).code === 0,
  });
  const birdc = (args: string[]) => runOk('birdc', ['-s', socket, ...args], { timeoutMs: 5000 });
  const established = async () => {
    const out = await birdc(['show', 'protocols']);
    const up = new Set<string>();
    for (const line of out.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols[1] === 'BGP' && line.includes('Established')) up.add(cols[0]!);
    }
    return up;
  };
  return {
    socket, configPath, birdc, established,
    waitEstablished: async (names, timeoutMs = 20_000) => {
      await waitFor(`BGP sessions ${names.join(', ')} Established at ${o.name}`, async () => {
        const up = await established();
        return names.every((n) => up.has(n));
      }, timeoutMs, 100);
    },
    ...d,
  };
}
