// FRR's bgpd as the speaker under test. Its config attaches the adapter's outbound route-map
// (BREAKWATER-OUT, which adds NO_EXPORT) to the upstream neighbors, as an operator would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startBgpd, type BgpdInstance } from '@breakwater/testing';
import { AdapterError, type AdapterConfig, type MitigationAdapter } from '../adapter.ts';
import { createFrrAdapter } from '../adapters/frr/index.ts';
import { VtySession } from '../adapters/frr/vty.ts';
import { ruleKey } from '../rule-key.ts';
import { blackholeRule, type ContractHarness, type ContractInstance } from './contract.ts';
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
    extraTests: (instance) => {
      const until = async (what: string, check: () => Promise<boolean>) => {
        const end = Date.now() + 10_000;
        while (!(await check())) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };

      test('vty session: a refused command fails the call, and the same session carries on', async () => {
        const session = new VtySession(join(hold.bed!.config.endpoint, 'bgpd.vty'), 5000);
        try {
          await assert.rejects(session.run(['configure terminal', 'router bgp 65001', 'neighbor not-an-address remote-as 1']), (err: unknown) => err instanceof AdapterError && !err.retryable);
          assert.match(await session.run(['show version']), /FRRouting/);
          // Back in enable mode: a config batch works from the start.
          await session.run(['configure terminal', 'ip prefix-list BW-VTY-TEST permit 192.0.2.0/24', 'no ip prefix-list BW-VTY-TEST']);
        } finally { session.close(); }
      });

      test('a bgpd restart is survived: the first call after it reconnects and succeeds', async () => {
        const inst = instance();
        const rule = blackholeRule('198.18.7.77/32');
        const key = ruleKey(rule.spec);
        await inst.adapter.announce(rule);
        await until(`${key} at the upstream`, async () => (await inst.observe()).has(key));
        await inst.restartSpeaker(); // the adapter's session to the old bgpd is now closed
        await until(`${key} gone with the old bgpd`, async () => !(await inst.observe()).has(key));
        await inst.adapter.announce(rule); // once, no retry: a new session
        await until(`${key} back at the upstream`, async () => (await inst.observe()).has(key));
        assert.ok((await inst.adapter.present())?.has(key));
        await inst.adapter.withdraw(rule);
        await until(`${key} withdrawn`, async () => !(await inst.observe()).has(key));
      });
    },
  };
}
