// The upstream side of every BGP adapter test: BIRD 2 in its own namespace peering with the
// speaker over IPv4 (ipv4 + flow4) and IPv6 (ipv6 + flow6), read back as ruleKeys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowspecAction } from '@breakwater/contracts';
import { createBgpLink, startBird, upstreamBirdConfig, type BgpLink, type BirdInstance } from '@breakwater/testing';
import { ruleKey } from '../rule-key.ts';
import { parseFlowAction, parseShowRoute, type BirdRoute } from '../adapters/bird2/show-route.ts';

export const SPEAKER_AS = 65001;
export const UPSTREAM_AS = 65002;
/** BIRD protocol names of the upstream's two sessions with the speaker. */
export const UPSTREAM_SESSIONS = ['spk4', 'spk6'];

/** A BIRD route as a ruleKey; null for routes no rule could have made. */
export function birdRouteKey(r: BirdRoute): string | null {
  if (r.prefix) return ruleKey({ kind: 'blackhole', prefix: r.prefix, next_hop: null, communities: [] });
  if (r.match) return ruleKey({ kind: 'flowspec', match: r.match, action: { type: 'discard' } });
  return null;
}

export interface Upstream {
  link: BgpLink;
  dir: string;
  bird: BirdInstance;
  routes: () => Promise<BirdRoute[]>;
  observe: () => Promise<Set<string>>;
  communities: (key: string) => Promise<string[] | null>;
  flowAction: (key: string) => Promise<FlowspecAction | null>;
  destroy: () => Promise<void>;
}

/** Creates the namespaces, the temp dir and the upstream BIRD (sessions come up once a speaker starts). */
export async function startUpstream(prefix: string): Promise<Upstream> {
  const dir = mkdtempSync(join(tmpdir(), `bw-${prefix}-`));
  let link: BgpLink | null = null;
  try {
    link = await createBgpLink();
    const l = link;
    const bird = await startBird({
      ns: l.upstreamNs, dir, name: 'upstream',
      config: upstreamBirdConfig({ routerId: l.upstreamV4, localAs: UPSTREAM_AS, peers: [
        { name: 'spk4', neighbor: l.speakerV4, neighborAs: SPEAKER_AS, localAddress: l.upstreamV4, v6: false },
        { name: 'spk6', neighbor: l.speakerV6, neighborAs: SPEAKER_AS, localAddress: l.upstreamV6, v6: true },
      ] }),
    });
    const routes = async () => {
      const out: BirdRoute[] = [];
      for (const t of ['master4', 'master6', 'flowtab4', 'flowtab6']) {
        out.push(...parseShowRoute(await bird.birdc(['show', 'route', 'table', t, 'all'])).filter((r) => UPSTREAM_SESSIONS.includes(r.protocol)));
      }
      return out;
    };
    const find = async (key: string) => (await routes()).find((r) => birdRouteKey(r) === key) ?? null;
    return {
      link: l, dir, bird, routes,
      observe: async () => new Set((await routes()).map(birdRouteKey).filter((k): k is string => k !== null)),
      communities: async (key) => (await find(key))?.communities ?? null,
      flowAction: async (key) => { const r = await find(key); return r ? parseFlowAction(r.extCommunities) : null; },
      destroy: async () => {
        try { await bird.stop(); } finally {
          await l.destroy();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await link?.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
