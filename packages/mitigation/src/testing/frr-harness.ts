// FRR's bgpd as the speaker under test. Its config attaches the adapter's outbound route-map
// (BREAKWATER-OUT, which adds NO_EXPORT) to the upstream neighbors, as an operator would.
import { join } from 'node:path';
import { startBgpd, type BgpdInstance } from '@breakwater/testing';
import type { AdapterConfig, MitigationAdapter } from '../adapter.ts';
import { createFrrAdapter } from '../adapters/frr/index.ts';
import type { ContractHarness, ContractInstance } from './contract.ts';
import { testDeps } from './gobgp-harness.ts';
import { SPEAKER_AS, UPSTREAM_AS, UPSTREAM_SESSIONS, startUpstream, type Upstream } from './upstream.ts';

export interface FrrBed {
  upstream: Upstream;
  speaker: BgpdInstance;
  config: AdapterConfig;
  killSpeaker: () => Promise<void>;
  restartSpeaker: () => Promise<void>;
  destroy: () => Promise<void>;
}

export function speakerBgpdConfig(o: { routerId: string; v4: string; v6: string }): string {
  return `frr defaults traditional
hostname breakwater-test
router bgp ${SPEAKER_AS}
 bgp router-id ${o.routerId}
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${o.v4} remote-as ${UPSTREAM_AS}
 neighbor ${o.v4} timers connect 1
 neighbor ${o.v6} remote-as ${UPSTREAM_AS}
 neighbor ${o.v6} timers connect 1
 address-family ipv4 unicast
  no neighbor ${o.v6} activate
  neighbor ${o.v4} route-map BREAKWATER-OUT out
 exit-address-family
 address-family ipv6 unicast
  neighbor ${o.v6} activate
  neighbor ${o.v6} route-map BREAKWATER-OUT out
 exit-address-family
exit
`;
}

export async function startFrrBed(): Promise<FrrBed> {
  const upstream = await startUpstream('frr');
  const l = upstream.link;
  try {
    const speaker = await startBgpd({ ns: l.speakerNs, dir: upstream.dir, name: 'speaker', config: speakerBgpdConfig({ routerId: l.speakerV4, v4: l.upstreamV4, v6: l.upstreamV6 }) });
    await upstream.bird.waitEstablished(UPSTREAM_SESSIONS);
    return {
      upstream, speaker,
      config: { endpoint: speaker.vtyDir, authToken: null, options: { local_as: SPEAKER_AS } },
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

export function frrHarness(hold: { bed?: FrrBed } = {}): ContractHarness {
  return {
    name: 'frr',
    capabilities: ['blackhole'],
    start: async (): Promise<ContractInstance> => {
      const bed = await startFrrBed();
      hold.bed = bed;
      const make = (over: Partial<AdapterConfig>): MitigationAdapter => createFrrAdapter({ ...bed.config, ...over }, testDeps());
      const adapter = make({});
      await adapter.start();
      return {
        adapter, makeAdapter: make,
        observe: bed.upstream.observe,
        communities: bed.upstream.communities,
        deadEndpoint: join(bed.upstream.dir, 'no-bgpd-here'),
        badOptions: [
          { options: {}, key: 'options.local_as' },
          { options: { local_as: 0 }, key: 'options.local_as' },
          { options: { local_as: 65001, name_prefix: 'X; no router bgp' }, key: 'options.name_prefix' },
        ],
        killSpeaker: bed.killSpeaker,
        restartSpeaker: bed.restartSpeaker,
        stop: async () => { await adapter.stop(); await bed.destroy(); },
      };
    },
  };
}
