// ExaBGP as the speaker under test, running Breakwater's bridge as its API process.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exabgpConfig, startExabgp, type ExabgpInstance } from '@breakwater/testing';
import type { AdapterConfig, MitigationAdapter } from '../adapter.ts';
import { createExabgpAdapter } from '../adapters/exabgp/index.ts';
import type { ContractHarness, ContractInstance } from './contract.ts';
import { testDeps } from './gobgp-harness.ts';
import { SPEAKER_AS, UPSTREAM_AS, UPSTREAM_SESSIONS, startUpstream, type Upstream } from './upstream.ts';

export const EXABGP_BRIDGE = fileURLToPath(new URL('../adapters/exabgp/bridge.ts', import.meta.url));

export interface ExabgpBed {
  upstream: Upstream;
  speaker: ExabgpInstance;
  config: AdapterConfig;
  killSpeaker: () => Promise<void>;
  restartSpeaker: () => Promise<void>;
  destroy: () => Promise<void>;
}

export async function startExabgpBed(): Promise<ExabgpBed> {
  const upstream = await startUpstream('exabgp');
  const l = upstream.link;
  const socket = join(upstream.dir, 'exabgp-bridge.sock');
  try {
    const speaker = await startExabgp({
      ns: l.speakerNs, dir: upstream.dir, name: 'speaker', socket,
      config: exabgpConfig({ processCommand: `${process.execPath} ${EXABGP_BRIDGE} ${socket}`, neighbors: [
        { address: l.upstreamV4, localAddress: l.speakerV4, routerId: l.speakerV4, localAs: SPEAKER_AS, peerAs: UPSTREAM_AS, families: ['ipv4 unicast', 'ipv4 flow'] },
        { address: l.upstreamV6, localAddress: l.speakerV6, routerId: l.speakerV4, localAs: SPEAKER_AS, peerAs: UPSTREAM_AS, families: ['ipv6 unicast', 'ipv6 flow'] },
      ] }),
    });
    await upstream.bird.waitEstablished(UPSTREAM_SESSIONS);
    return {
      upstream, speaker,
      config: { endpoint: socket, authToken: null, options: {} },
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

export function exabgpHarness(hold: { bed?: ExabgpBed } = {}): ContractHarness {
  return {
    name: 'exabgp',
    capabilities: ['blackhole', 'flowspec'],
    start: async (): Promise<ContractInstance> => {
      const bed = await startExabgpBed();
      hold.bed = bed;
      const make = (over: Partial<AdapterConfig>): MitigationAdapter => createExabgpAdapter({ ...bed.config, ...over }, testDeps());
      const adapter = make({});
      await adapter.start();
      return {
        adapter, makeAdapter: make,
        observe: bed.upstream.observe,
        communities: bed.upstream.communities,
        flowAction: bed.upstream.flowAction,
        deadEndpoint: join(bed.upstream.dir, 'nobody-listens.sock'),
        badOptions: [
          { options: { next_hop: '10.0.0.1; announce route 0.0.0.0/0' }, key: 'options.next_hop' },
          { options: { communities: ['65536:1'] }, key: 'options.communities' },
          { options: { neighbour: '10.0.0.1' }, key: 'options.neighbour' },
        ],
        killSpeaker: bed.killSpeaker,
        restartSpeaker: bed.restartSpeaker,
        stop: async () => { await adapter.stop(); await bed.destroy(); },
      };
    },
  };
}
