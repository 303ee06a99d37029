// BIRD 2 as the speaker under test: its bird.conf includes the file the bird2 adapter owns and
// exports that file's static protocols to both upstream peers.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { birdBgpConfig, startBird, type BirdInstance } from '@breakwater/testing';
import { createBird2Adapter } from '../adapters/bird2/index.ts';
import type { ContractHarness } from './contract.ts';
import { bgpHarness, startBgpBed, type BgpBed } from './bed.ts';
import { SPEAKER_AS, type SpeakerSession } from './upstream.ts';

export type Bird2Bed = BgpBed<BirdInstance>;

export const BIRD2_INCLUDE_FILE = 'breakwater.conf';

/** The speaker's bird.conf: the adapter's file included, its static protocols exported to every peer. */
export function speakerBirdConfig(o: { routerId: string; includePath: string; peers: Pick<SpeakerSession, 'name' | 'local' | 'neighbor' | 'peerAs' | 'v6'>[] }): string {
  return birdBgpConfig({
    routerId: o.routerId, localAs: SPEAKER_AS, include: o.includePath,
    peers: o.peers.map((p) => ({ name: p.name, localAddress: p.local, neighbor: p.neighbor, neighborAs: p.peerAs, v6: p.v6 })),
    importFilter: 'none', exportFilter: 'where proto ~ "breakwater_*"',
  });
}

export const startBird2Bed = (): Promise<Bird2Bed> => startBgpBed('bird2', async (up) => {
  // The server's config names the directory (mitigation.bird2.includeDir); the adapter the file in it.
  const includePath = join(up.dir, BIRD2_INCLUDE_FILE);
  writeFileSync(includePath, '# empty until the adapter starts\n');
  const speaker = await startBird({
    ns: up.link.speakerNs, dir: up.dir, name: 'speaker',
    config: speakerBirdConfig({ routerId: up.link.speakerV4, includePath, peers: up.sessions }),
  });
  return { speaker, config: { endpoint: speaker.socket, authToken: null, options: { include_file: BIRD2_INCLUDE_FILE } }, local: { birdIncludeDir: up.dir } };
});

export function bird2Harness(hold: { bed?: Bird2Bed } = {}): ContractHarness {
  return bgpHarness({
    name: 'bird2',
    capabilities: ['blackhole', 'flowspec'],
    startBed: startBird2Bed,
    createAdapter: createBird2Adapter,
    deadEndpoint: (dir) => join(dir, 'nobody-listens.ctl'),
    badOptions: [
      { options: { birdc: '/bin/sh' }, key: 'options.birdc' },
      { options: { include_path: 'relative.conf' }, key: 'options.include_path' },
      { options: { include_path: '/etc/cron.d/breakwater' }, key: 'options.include_path' },
      { options: { include_file: '../../etc/cron.d/x' }, key: 'options.include_file' },
      { options: { protocol_prefix: 'bad name;' }, key: 'options.protocol_prefix' },
      { options: { communities: '65535:666' }, key: 'options.communities' },
    ],
  }, hold);
}
