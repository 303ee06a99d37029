// gobgpd as the speaker under test. Usable by contract tests and, through
// @breakwater/mitigation/testing, by apps/server tests that kill and restart the speaker.
import { gobgpdConfig, startGobgpd, type GobgpdInstance } from '@breakwater/testing';
import { createGobgpAdapter } from '../adapters/gobgp/index.ts';
import type { ContractHarness } from './contract.ts';
import { bgpHarness, startBgpBed, type BgpBed } from './bed.ts';
import { SPEAKER_AS } from './upstream.ts';

export { testDeps } from './bed.ts';

export type GobgpBed = BgpBed<GobgpdInstance>;

export const startGobgpBed = (): Promise<GobgpBed> => startBgpBed('gobgp', async (up) => {
  const l = up.link;
  const speaker = await startGobgpd({
    ns: l.speakerNs, dir: up.dir, name: 'speaker',
    config: gobgpdConfig({
      as: SPEAKER_AS, routerId: l.speakerV4, listenAddresses: [l.speakerV4, l.speakerV6, l.speakerObsV4, l.speakerObsV6],
      neighbors: up.sessions.map((s) => ({
        address: s.neighbor, peerAs: s.peerAs, localAddress: s.local,
        families: s.v6 ? ['ipv6-unicast', 'ipv6-flowspec'] : ['ipv4-unicast', 'ipv4-flowspec'],
        // gobgpd waits 5-10 s before its first outgoing connection, and so does the observer:
        // started earlier, the observer connects first; waiting for it avoids a collision.
        passive: s.second,
      })),
    }),
  });
  return { speaker, config: { endpoint: speaker.target, authToken: null, options: {} } };
});

export function gobgpHarness(hold: { bed?: GobgpBed } = {}): ContractHarness {
  return bgpHarness({
    name: 'gobgp',
    capabilities: ['blackhole', 'flowspec'],
    startBed: startGobgpBed,
    createAdapter: createGobgpAdapter,
    deadEndpoint: (dir) => `unix://${dir}/nobody-listens.sock`,
    badOptions: [
      { options: { communities: ['65535:666', 'not-a-community'] }, key: 'options.communities' },
      { options: { next_hop: '2001:db8::1' }, key: 'options.next_hop' },
      { options: { nexthop: '10.0.0.1' }, key: 'options.nexthop' },
    ],
  }, hold);
}
