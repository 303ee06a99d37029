// Three namespaces: `spk` holds the BGP speaker under test, joined by one veth to `up` (the
// upstream BIRD) and by another to `obs` (a second upstream peer of another implementation,
// which owns port 179 there, so the speaker can connect to it at once). Names carry the pid and
// a counter so parallel runs cannot collide; nothing gets a default route, so nothing can leave.
import { runOk, run } from './exec.ts';

let counter = 0;

export interface BgpLink {
  speakerNs: string;
  upstreamNs: string;
  /** The second upstream peer's namespace, on a link of its own to the speaker's. */
  observerNs: string;
  speakerV4: string;
  upstreamV4: string;
  speakerV6: string;
  upstreamV6: string;
  /** The speaker's addresses on the link to the observer namespace. */
  speakerObsV4: string;
  speakerObsV6: string;
  observerV4: string;
  observerV6: string;
  destroy(): Promise<void>;
}

/** A veth between two namespaces, with IPv4 /24 and IPv6 /64 addresses (no DAD) on each end, up. */
async function joinNamespaces(a: { ns: string; dev: string; v4: string; v6: string }, b: { ns: string; dev: string; v4: string; v6: string }): Promise<void> {
  await runOk('ip', ['link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
  for (const end of [a, b]) {
    await runOk('ip', ['-n', end.ns, 'addr', 'add', `${end.v4}/24`, 'dev', end.dev]);
    await runOk('ip', ['-n', end.ns, '-6', 'addr', 'add', `${end.v6}/64`, 'dev', end.dev, 'nodad']);
    await runOk('ip', ['-n', end.ns, 'link', 'set', end.dev, 'up']);
  }
}

export async function createBgpLink(): Promise<BgpLink> {
  const tag = `${process.pid % 100000}x${counter++}`;
  const speakerNs = `bw-spk-${tag}`;
  const upstreamNs = `bw-up-${tag}`;
  const observerNs = `bw-obs-${tag}`;
  const link: BgpLink = {
    speakerNs, upstreamNs, observerNs,
    speakerV4: '10.200.1.1', upstreamV4: '10.200.1.2', speakerV6: 'fd00:200:1::1', upstreamV6: 'fd00:200:1::2',
    speakerObsV4: '10.200.2.1', observerV4: '10.200.2.2', speakerObsV6: 'fd00:200:2::1', observerV6: 'fd00:200:2::2',
    destroy: async () => {
      for (const ns of [speakerNs, upstreamNs, observerNs]) await run('ip', ['netns', 'del', ns]);
    },
  };
  try {
    for (const ns of [speakerNs, upstreamNs, observerNs]) {
      await runOk('ip', ['netns', 'add', ns]);
      await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    await Promise.all([
      joinNamespaces(
        { ns: speakerNs, dev: `bws${tag}`.slice(0, 15), v4: link.speakerV4, v6: link.speakerV6 },
        { ns: upstreamNs, dev: `bwu${tag}`.slice(0, 15), v4: link.upstreamV4, v6: link.upstreamV6 },
      ),
      joinNamespaces(
        { ns: speakerNs, dev: `bwt${tag}`.slice(0, 15), v4: link.speakerObsV4, v6: link.speakerObsV6 },
        { ns: observerNs, dev: `bwo${tag}`.slice(0, 15), v4: link.observerV4, v6: link.observerV6 },
      ),
    ]);
  } catch (err) {
    await link.destroy();
    throw err;
  }
  return link;
}
