// BIRD 2 as the speaker under test: its bird.conf includes the file the bird2 adapter owns and
// exports that file's static protocols to the upstream BIRD.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startBird, type BirdInstance } from '@breakwater/testing';
import type { AdapterConfig, MitigationAdapter } from '../adapter.ts';
import { createBird2Adapter } from '../adapters/bird2/index.ts';
import type { ContractHarness, ContractInstance } from './contract.ts';
import { testDeps } from './gobgp-harness.ts';
import { SPEAKER_AS, UPSTREAM_AS, UPSTREAM_SESSIONS, startUpstream, type Upstream } from './upstream.ts';

export interface Bird2Bed {
  upstream: Upstream;
  speaker: BirdInstance;
  config: AdapterConfig;
  killSpeaker: () => Promise<void>;
  restartSpeaker: () => Promise<void>;
  destroy: () => Promise<void>;
}

export function speakerBirdConfig(o: { routerId: string; includePath: string; peers: { name: string; local: string; neighbor: string; v6: boolean }[] }): string {
  const peers = o.peers.map((p) => {
    const [uni, flow, tab] = p.v6 ? ['ipv6', 'flow6', 'flowtab6'] : ['ipv4', 'flow4', 'flowtab4'];
    return `protocol bgp ${p.name} {
  local ${p.local} as ${SPEAKER_AS};
  neighbor ${p.neighbor} as ${UPSTREAM_AS};
  connect delay time 1; connect retry time 1; error wait time 1, 5;
  ${uni} { import none; export where proto ~ "breakwater_*"; };
  ${flow} { table ${tab}; import none; export where proto ~ "breakwater_*"; };
}`;
  }).join('\n');
  return `router id ${o.routerId};
protocol device {}
ipv4 table master4; ipv6 table master6;
flow4 table flowtab4; flow6 table flowtab6;
include "${o.includePath}";
${peers}
`;
}

export async function startBird2Bed(): Promise<Bird2Bed> {
  const upstream = await startUpstream('bird2');
  const l = upstream.link;
  const includePath = join(upstream.dir, 'breakwater.conf');
  try {
    writeFileSync(includePath, '# empty until the adapter starts\n');
    const speaker = await startBird({
      ns: l.speakerNs, dir: upstream.dir, name: 'speaker',
      config: speakerBirdConfig({ routerId: l.speakerV4, includePath, peers: [
        { name: 'up4', local: l.speakerV4, neighbor: l.upstreamV4, v6: false },
        { name: 'up6', local: l.speakerV6, neighbor: l.upstreamV6, v6: true },
      ] }),
    });
    await upstream.bird.waitEstablished(UPSTREAM_SESSIONS);
    return {
      upstream, speaker,
      config: { endpoint: speaker.socket, authToken: null, options: { include_path: includePath } },
      killSpeaker: async () => { await speaker.daemon().stop('SIGKILL'); },
      restartSpeaker: async () => { await speaker.restart(); await upstream.bird.waitEstablished(UPSTREAM_SESSIONS); },
      destroy: async () => {
        await speaker.stop().catch(() => undefined);
        await upstream.destroy();
      },
    };
  } catch (err) {
    await upstream.destroy();
    throw err;
  }
}

export function bird2Harness(hold: { bed?: Bird2Bed } = {}): ContractHarness {
  return {
    name: 'bird2',
    capabilities: ['blackhole', 'flowspec'],
    start: async (): Promise<ContractInstance> => {
      const bed = await startBird2Bed();
      hold.bed = bed;
      const make = (over: Partial<AdapterConfig>): MitigationAdapter => createBird2Adapter({ ...bed.config, ...over }, testDeps());
      const adapter = make({});
      await adapter.start();
      return {
        adapter, makeAdapter: make,
        observe: bed.upstream.observe,
        communities: bed.upstream.communities,
        flowAction: bed.upstream.flowAction,
        deadEndpoint: join(bed.upstream.dir, 'nobody-listens.ctl'),
        badOptions: [
          { options: {}, key: 'options.include_path' },
          { options: { include_path: 'relative.conf' }, key: 'options.include_path' },
          { options: { include_path: '/tmp/x.conf', protocol_prefix: 'bad name;' }, key: 'options.protocol_prefix' },
          { options: { include_path: '/tmp/x.conf', communities: '65535:666' }, key: 'options.communities' },
        ],
        killSpeaker: bed.killSpeaker,
        restartSpeaker: bed.restartSpeaker,
        stop: async () => { await adapter.stop(); await bed.destroy(); },
      };
    },
  };
}
