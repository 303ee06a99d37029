// The upstream side of every BGP adapter test: BIRD 2 in its own namespace peering with the
// speaker over IPv4 (ipv4 + flow4) and IPv6 (ipv6 + flow6), and a second peer of another
// implementation, a gobgpd in a namespace of its own (ipv4/ipv6 unicast and flowspec), both
// read back as ruleKeys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowspecAction } from '@breakwater/contracts';
import { createBgpLink, gobgpdConfig, startBird, startGobgpd, upstreamBirdConfig, type BgpLink, type BirdInstance, type GobgpdInstance } from '@breakwater/testing';
import { ruleKey } from '../rule-key.ts';
import { parseFlowAction, parseShowRoute, type BirdRoute } from '../adapters/bird2/show-route.ts';
import { gobgpCliRibPaths } from './gobgp-cli-rib.ts';

export const SPEAKER_AS = 65001;
export const UPSTREAM_AS = 65002;
export const OBSERVER_AS = 65003;
/** BIRD protocol names of the upstream's two sessions with the speaker. */
export const UPSTREAM_SESSIONS = ['spk4', 'spk6'];

/** A BIRD route as a ruleKey; null for routes no rule could have made. */
export function birdRouteKey(r: BirdRoute): string | null {
  if (r.prefix) return ruleKey({ kind: 'blackhole', prefix: r.prefix, next_hop: null, communities: [] });
  if (r.match) return ruleKey({ kind: 'flowspec', match: r.match, action: { type: 'discard' } });
  return null;
}

/** One BGP session the speaker under test must configure (the bed's peers, as the speaker sees them). */
export interface SpeakerSession {
  /** A name for the session (letters, digits). */
  name: string;
  /** The speaker's own address for it. */
  local: string;
  neighbor: string;
  peerAs: number;
  v6: boolean;
  /** True for the second (GoBGP) peer. */
  second: boolean;
}

/** What a peer has received from the speaker. */
export interface PeerView {
  observe: () => Promise<Set<string>>;
  communities: (key: string) => Promise<string[] | null>;
  flowAction: (key: string) => Promise<FlowspecAction | null>;
}

export interface SecondPeer extends PeerView {
  gobgpd: GobgpdInstance;
  waitEstablished: () => Promise<void>;
}

export interface Upstream extends PeerView {
  link: BgpLink;
  dir: string;
  bird: BirdInstance;
  /** The second upstream peer, a gobgpd listening in a namespace of its own. */
  second: SecondPeer;
  /** The sessions the speaker's config must hold: upstream BIRD and second peer, IPv4 and IPv6. */
  sessions: SpeakerSession[];
  routes: () => Promise<BirdRoute[]>;
  /** Waits until both peers have both their sessions with the speaker. */
  waitSessions: () => Promise<void>;
  destroy: () => Promise<void>;
}

const OBSERVER_FAMILIES = (v6: boolean) => v6 ? ['ipv6-unicast', 'ipv6-flowspec'] : ['ipv4-unicast', 'ipv4-flowspec'];

async function startSecondPeer(l: BgpLink, dir: string): Promise<SecondPeer> {
  // gobgpd waits 5-10 s before its own first outgoing connection; it listens here, so a speaker
  // connects to it as soon as the speaker's own timers allow (a gobgpd speaker waits for it).
  const gobgpd = await startGobgpd({
    ns: l.observerNs, dir, name: 'observer',
    config: gobgpdConfig({ as: OBSERVER_AS, routerId: l.observerV4, listenAddresses: [l.observerV4, l.observerV6], neighbors: [
      { address: l.speakerObsV4, peerAs: SPEAKER_AS, localAddress: l.observerV4, families: OBSERVER_FAMILIES(false) },
      { address: l.speakerObsV6, peerAs: SPEAKER_AS, localAddress: l.observerV6, families: OBSERVER_FAMILIES(true) },
    ] }),
  });
  const paths = async () => {
    const out = [];
    for (const fam of ['ipv4', 'ipv6', 'ipv4-flowspec', 'ipv6-flowspec']) out.push(...gobgpCliRibPaths(await gobgpd.gobgp(['-j', 'global', 'rib', '-a', fam])));
    return out;
  };
  const find = async (key: string) => (await paths()).find((p) => p.key === key) ?? null;
  return {
    gobgpd,
    observe: async () => new Set((await paths()).map((p) => p.key)),
    communities: async (key) => (await find(key))?.communities ?? null,
    flowAction: async (key) => (await find(key))?.flowAction ?? null,
    waitEstablished: () => gobgpd.waitEstablished([l.speakerObsV4, l.speakerObsV6]),
  };
}

/** Creates the namespaces, the temp dir and both upstream peers (sessions come up once a speaker starts). */
export async function startUpstream(prefix: string): Promise<Upstream> {
  const dir = mkdtempSync(join(tmpdir(), `bw-${prefix}-`));
  let link: BgpLink | null = null;
  const started: { stop(): Promise<void> }[] = [];
  try {
    link = await createBgpLink();
    const l = link;
    const [birdR, secondR] = await Promise.allSettled([
      startBird({
        ns: l.upstreamNs, dir, name: 'upstream',
        config: upstreamBirdConfig({ routerId: l.upstreamV4, localAs: UPSTREAM_AS, peers: [
          { name: 'spk4', neighbor: l.speakerV4, neighborAs: SPEAKER_AS, localAddress: l.upstreamV4, v6: false },
          { name: 'spk6', neighbor: l.speakerV6, neighborAs: SPEAKER_AS, localAddress: l.upstreamV6, v6: true },
        ] }),
      }),
      startSecondPeer(l, dir),
    ]);
    if (birdR.status === 'fulfilled') started.push(birdR.value);
    if (secondR.status === 'fulfilled') started.push(secondR.value.gobgpd);
    if (birdR.status === 'rejected') throw birdR.reason;
    if (secondR.status === 'rejected') throw secondR.reason;
    const [bird, second] = [birdR.value, secondR.value];
    const routes = async () => {
      const out: BirdRoute[] = [];
      for (const t of ['master4', 'master6', 'flowtab4', 'flowtab6']) {
        out.push(...parseShowRoute(await bird.birdc(['show', 'route', 'table', t, 'all'])).filter((r) => UPSTREAM_SESSIONS.includes(r.protocol)));
      }
      return out;
    };
    const find = async (key: string) => (await routes()).find((r) => birdRouteKey(r) === key) ?? null;
    return {
      link: l, dir, bird, second, routes,
      sessions: [
        { name: 'up4', local: l.speakerV4, neighbor: l.upstreamV4, peerAs: UPSTREAM_AS, v6: false, second: false },
        { name: 'up6', local: l.speakerV6, neighbor: l.upstreamV6, peerAs: UPSTREAM_AS, v6: true, second: false },
        { name: 'obs4', local: l.speakerObsV4, neighbor: l.observerV4, peerAs: OBSERVER_AS, v6: false, second: true },
        { name: 'obs6', local: l.speakerObsV6, neighbor: l.observerV6, peerAs: OBSERVER_AS, v6: true, second: true },
      ],
      observe: async () => new Set((await routes()).map(birdRouteKey).filter((k): k is string => k !== null)),
      communities: async (key) => (await find(key))?.communities ?? null,
      flowAction: async (key) => { const r = await find(key); return r ? parseFlowAction(r.extCommunities) : null; },
      waitSessions: async () => { await Promise.all([bird.waitEstablished(UPSTREAM_SESSIONS), second.waitEstablished()]); },
      destroy: async () => {
        try {
          await Promise.all([bird.stop().catch(() => undefined), second.gobgpd.stop().catch(() => undefined)]);
        } finally {
          await l.destroy();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await Promise.all(started.map((d) => d.stop().catch(() => undefined)));
    await link?.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
