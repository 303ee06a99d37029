// BIRD 2 as the speaker under test: its bird.conf includes the file the bird2 adapter owns and
// exports that file's static protocols to both upstream peers.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startBird, type BirdInstance } from '@breakwater/testing';
import { createBird2Adapter } from '../adapters/bird2/index.ts';
import type { ContractHarness } from './contract.ts';
import { bgpHarness, startBgpBed, type BgpBed } from './bed.ts';
import { SPEAKER_AS } from './upstream.ts';

export type Bird2Bed = BgpBed<BirdInstance>;

export function speakerBirdConfig(o: { routerId: string; includePath: string; peers: { name: string; local: string; neighbor: string; peerAs: number; v6: boolean }[] }): string {
  const peers = o.peers.map((p) => {
    const [uni, flow, tab] = p.v6 ? ['ipv6', 'flow6', 'flowtab6'] : ['ipv4', 'flow4', 'flowtab4'];
    return `protocol bgp ${p.name} {
  local ${p.local} as ${SPEAKER_AS};
  neighbor ${p.neighbor} as ${p.peerAs};
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

export const startBird2Bed = (): Promise<Bird2Bed> => startBgpBed('bird2', async (up) => {
  const includePath = join(up.dir, 'breakwater.conf');
  writeFileSync(includePath, '# empty until the adapter starts\n');
  const speaker = await startBird({
    ns: up.link.speakerNs, dir: up.dir, name: 'speaker',
    config: speakerBirdConfig({ routerId: up.link.speakerV4, includePath, peers: up.sessions }),
  });
  return { speaker, config: { endpoint: speaker.socket, authToken: null, options: { include_path: includePath } } };
});

export function bird2Harness(hold: { bed?: Bird2Bed } = {}): ContractHarness {
  return bgpHarness({
    name: 'bird2',
    capabilities: ['blackhole', 'flowspec'],
    startBed: startBird2Bed,
    createAdapter: createBird2Adapter,
    deadEndpoint: (dir) => join(dir, 'nobody-listens.ctl'),
    badOptions: [
      { options: {}, key: 'options.include_path' },
      { options: { include_path: 'relative.conf' }, key: 'options.include_path' },
      { options: { include_path: '/tmp/x.conf', protocol_prefix: 'bad name;' }, key: 'options.protocol_prefix' },
      { options: { include_path: '/tmp/x.conf', communities: '65535:666' }, key: 'options.communities' },
    ],
  }, hold);
}
