// gobgpd as the speaker under test, peering with the upstream BIRD and with a second gobgpd
// (another vendor's view of the same announcements). Usable by contract tests and, through
// @breakwater/mitigation/testing, by apps/server tests that kill and restart the speaker.
import { gobgpdConfig, startGobgpd, type GobgpdInstance } from '@breakwater/testing';
import type { AdapterConfig, AdapterDeps, MitigationAdapter } from '../adapter.ts';
import { createGobgpAdapter } from '../adapters/gobgp/index.ts';
import type { ContractHarness, ContractInstance } from './contract.ts';
import { gobgpCliRibKeys } from './gobgp-cli-rib.ts';
import { SPEAKER_AS, UPSTREAM_SESSIONS, startUpstream, type Upstream } from './upstream.ts';

const OBSERVER_AS = 65003;

export const testDeps = (timeoutMs = 3000): AdapterDeps => ({ now: () => Date.now(), fetch, timeoutMs });

export interface GobgpBed {
  upstream: Upstream;
  speaker: GobgpdInstance;
  /** The second upstream peer, a gobgpd. */
  observer: GobgpdInstance;
  config: AdapterConfig;
  /** What the second (GoBGP) peer has received, as ruleKeys. */
  observeSecondPeer: () => Promise<Set<string>>;
  killSpeaker: () => Promise<void>;
  /** Starts gobgpd again and waits until the upstream BIRD has its sessions back. */
  restartSpeaker: () => Promise<void>;
  waitSessions: () => Promise<void>;
  destroy: () => Promise<void>;
}

export async function startGobgpBed(): Promise<GobgpBed> {
  const upstream = await startUpstream('gobgp');
  const l = upstream.link;
  let speaker: GobgpdInstance | null = null;
  let observer: GobgpdInstance | null = null;
  try {
    // gobgpd waits 5-10 s before its first outgoing connection (its minimum connect-retry), so
    // the observer, which must connect out, is started first.
    observer = await startGobgpd({
      ns: l.upstreamNs, dir: upstream.dir, name: 'observer',
      config: gobgpdConfig({ as: OBSERVER_AS, routerId: l.upstream2V4, listenAddresses: [l.upstream2V4, l.upstream2V6], listenPort: -1, neighbors: [
        { address: l.speakerV4, peerAs: SPEAKER_AS, localAddress: l.upstream2V4, families: ['ipv4-unicast', 'ipv4-flowspec'] },
        { address: l.speakerV6, peerAs: SPEAKER_AS, localAddress: l.upstream2V6, families: ['ipv6-unicast', 'ipv6-flowspec'] },
      ] }),
    });
    speaker = await startGobgpd({
      ns: l.speakerNs, dir: upstream.dir, name: 'speaker',
      config: gobgpdConfig({ as: SPEAKER_AS, routerId: l.speakerV4, listenAddresses: [l.speakerV4, l.speakerV6], neighbors: [
        { address: l.upstreamV4, peerAs: 65002, localAddress: l.speakerV4, families: ['ipv4-unicast', 'ipv4-flowspec'] },
        { address: l.upstreamV6, peerAs: 65002, localAddress: l.speakerV6, families: ['ipv6-unicast', 'ipv6-flowspec'] },
        // The observer does not listen (BIRD owns port 179 in that namespace), so the speaker waits for it.
        { address: l.upstream2V4, peerAs: OBSERVER_AS, localAddress: l.speakerV4, families: ['ipv4-unicast', 'ipv4-flowspec'], passive: true },
        { address: l.upstream2V6, peerAs: OBSERVER_AS, localAddress: l.speakerV6, families: ['ipv6-unicast', 'ipv6-flowspec'], passive: true },
      ] }),
    });
    const sp = speaker;
    const ob = observer;
    const waitSessions = async () => {
      await upstream.bird.waitEstablished(UPSTREAM_SESSIONS);
      await ob.waitEstablished([l.speakerV4, l.speakerV6]);
    };
    await waitSessions();
    return {
      upstream, speaker: sp, observer: ob, waitSessions,
      config: { endpoint: sp.target, authToken: null, options: {} },
      observeSecondPeer: async () => {
        const keys = new Set<string>();
        for (const fam of ['ipv4', 'ipv6', 'ipv4-flowspec', 'ipv6-flowspec']) {
          for (const k of gobgpCliRibKeys(await ob.gobgp(['-j', 'global', 'rib', '-a', fam]))) keys.add(k);
        }
        return keys;
      },
      killSpeaker: async () => { await sp.daemon().stop('SIGKILL'); },
      // Only the BIRD sessions: the observer reconnects on gobgpd's own 5-10 s timer; tests that
      // read it call waitSessions().
      restartSpeaker: async () => { await sp.restart(); await upstream.bird.waitEstablished(UPSTREAM_SESSIONS); },
      destroy: async () => {
        await ob.stop().catch(() => undefined);
        await sp.stop().catch(() => undefined);
        await upstream.destroy();
      },
    };
  } catch (err) {
    await observer?.stop().catch(() => undefined);
    await speaker?.stop().catch(() => undefined);
    await upstream.destroy();
    throw err;
  }
}

/** The contract harness for the gobgp adapter; `bed` is kept for extra assertions. */
export function gobgpHarness(hold: { bed?: GobgpBed } = {}): ContractHarness {
  return {
    name: 'gobgp',
    capabilities: ['blackhole', 'flowspec'],
    start: async (): Promise<ContractInstance> => {
      const bed = await startGobgpBed();
      hold.bed = bed;
      const make = (over: Partial<AdapterConfig>): MitigationAdapter => createGobgpAdapter({ ...bed.config, ...over }, testDeps());
      const adapter = make({});
      await adapter.start();
      return {
        adapter, makeAdapter: make,
        observe: bed.upstream.observe,
        communities: bed.upstream.communities,
        flowAction: bed.upstream.flowAction,
        deadEndpoint: `unix://${bed.upstream.dir}/nobody-listens.sock`,
        badOptions: [
          { options: { communities: ['65535:666', 'not-a-community'] }, key: 'options.communities' },
          { options: { next_hop: '2001:db8::1' }, key: 'options.next_hop' },
          { options: { nexthop: '10.0.0.1' }, key: 'options.nexthop' },
        ],
        killSpeaker: bed.killSpeaker,
        restartSpeaker: bed.restartSpeaker,
        stop: async () => { await adapter.stop(); await bed.destroy(); },
      };
    },
  };
}
