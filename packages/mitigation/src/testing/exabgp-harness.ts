// ExaBGP as the speaker under test, running Breakwater's bridge as its API process.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exabgpConfig, startExabgp, type ExabgpInstance } from '@breakwater/testing';
import { createExabgpAdapter } from '../adapters/exabgp/index.ts';
import type { ContractHarness } from './contract.ts';
import { bgpHarness, startBgpBed, type BgpBed } from './bed.ts';
import { SPEAKER_AS } from './upstream.ts';

export const EXABGP_BRIDGE = fileURLToPath(new URL('../adapters/exabgp/bridge.ts', import.meta.url));

export type ExabgpBed = BgpBed<ExabgpInstance>;

export const startExabgpBed = (): Promise<ExabgpBed> => startBgpBed('exabgp', async (up) => {
  const l = up.link;
  const socket = join(up.dir, 'exabgp-bridge.sock');
  const speaker = await startExabgp({
    ns: l.speakerNs, dir: up.dir, name: 'speaker', socket,
    config: exabgpConfig({
      processCommand: `${process.execPath} ${EXABGP_BRIDGE} ${socket}`,
      neighbors: up.sessions.map((s) => ({
        address: s.neighbor, localAddress: s.local, routerId: l.speakerV4, localAs: SPEAKER_AS, peerAs: s.peerAs,
        families: s.v6 ? ['ipv6 unicast', 'ipv6 flow'] : ['ipv4 unicast', 'ipv4 flow'],
      })),
    }),
  });
  return { speaker, config: { endpoint: socket, authToken: null, options: {} } };
});

export function exabgpHarness(hold: { bed?: ExabgpBed } = {}): ContractHarness {
  return bgpHarness({
    name: 'exabgp',
    capabilities: ['blackhole', 'flowspec'],
    startBed: startExabgpBed,
    createAdapter: createExabgpAdapter,
    deadEndpoint: (dir) => join(dir, 'nobody-listens.sock'),
    badOptions: [
      { options: { next_hop: '10.0.0.1; announce route 0.0.0.0/0' }, key: 'options.next_hop' },
      { options: { communities: ['65536:1'] }, key: 'options.communities' },
      { options: { neighbour: '10.0.0.1' }, key: 'options.neighbour' },
    ],
  }, hold);
}
