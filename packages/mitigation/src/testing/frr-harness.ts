// FRR's bgpd as the speaker under test. Its config attaches the adapter's outbound route-map
// (BREAKWATER-OUT, which adds NO_EXPORT) to every upstream neighbor, as an operator would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startBgpd, type BgpdInstance } from '@breakwater/testing';
import { AdapterError } from '../adapter.ts';
import { createFrrAdapter } from '../adapters/frr/index.ts';
import { VtySession } from '../adapters/frr/vty.ts';
import { ruleKey } from '../rule-key.ts';
import { blackholeRule, type ContractHarness } from './contract.ts';
import { bgpHarness, startBgpBed, type BgpBed } from './bed.ts';
import { SPEAKER_AS, type SpeakerSession } from './upstream.ts';

export type FrrBed = BgpBed<BgpdInstance>;

export function speakerBgpdConfig(o: { routerId: string; sessions: Pick<SpeakerSession, 'neighbor' | 'peerAs' | 'v6'>[] }): string {
  const lines = (v6: boolean, f: (neighbor: string) => string) => o.sessions.filter((s) => s.v6 === v6).map((s) => f(s.neighbor)).join('\n');
  return `frr defaults traditional
hostname breakwater-test
router bgp ${SPEAKER_AS}
 bgp router-id ${o.routerId}
 no bgp ebgp-requires-policy
 no bgp network import-check
${o.sessions.map((s) => ` neighbor ${s.neighbor} remote-as ${s.peerAs}\n neighbor ${s.neighbor} timers connect 1`).join('\n')}
 address-family ipv4 unicast
${lines(true, (n) => `  no neighbor ${n} activate`)}
${lines(false, (n) => `  neighbor ${n} route-map BREAKWATER-OUT out`)}
 exit-address-family
 address-family ipv6 unicast
${lines(true, (n) => `  neighbor ${n} activate\n  neighbor ${n} route-map BREAKWATER-OUT out`)}
 exit-address-family
exit
`;
}

export const startFrrBed = (): Promise<FrrBed> => startBgpBed('frr', async (up) => {
  const speaker = await startBgpd({ ns: up.link.speakerNs, dir: up.dir, name: 'speaker', config: speakerBgpdConfig({ routerId: up.link.speakerV4, sessions: up.sessions }) });
  return { speaker, config: { endpoint: speaker.vtyDir, authToken: null, options: { local_as: SPEAKER_AS } } };
});

export function frrHarness(hold: { bed?: FrrBed } = {}): ContractHarness {
  return bgpHarness({
    name: 'frr',
    capabilities: ['blackhole'],
    startBed: startFrrBed,
    createAdapter: createFrrAdapter,
    deadEndpoint: (dir) => join(dir, 'no-bgpd-here'),
    badOptions: [
      { options: {}, key: 'options.local_as' },
      { options: { local_as: 0 }, key: 'options.local_as' },
      { options: { local_as: 65001, name_prefix: 'X; no router bgp' }, key: 'options.name_prefix' },
    ],
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
  }, hold);
}
