// Two namespaces joined by one veth: `spk` holds the BGP speaker under test, `up` the upstream
// routers that observe it. Names carry the pid and a counter so parallel runs cannot collide;
// nothing gets a default route, so nothing can leave.
import { runOk, run } from './exec.ts';

let counter = 0;

export interface BgpLink {
  speakerNs: string;
  upstreamNs: string;
  speakerV4: string;
  upstreamV4: string;
  /** A second upstream address on the same link (for a second peer such as a GoBGP observer). */
  upstream2V4: string;
  speakerV6: string;
  upstreamV6: string;
  upstream2V6: string;
  destroy(): Promise<void>;
}

export async function createBgpLink(): Promise<BgpLink> {
  const tag = `${process.pid % 100000}x${counter++}`;
  const speakerNs = `bw-spk-${tag}`;
  const upstreamNs = `bw-up-${tag}`;
  const vs = `bws${tag}`.slice(0, 15);
  const vu = `bwu${tag}`.slice(0, 15);
  const link: BgpLink = {
    speakerNs, upstreamNs,
    speakerV4: '10.200.1.1', upstreamV4: '10.200.1.2', upstream2V4: '10.200.1.3',
    speakerV6: 'fd00:200:1::1', upstreamV6: 'fd00:200:1::2', upstream2V6: 'fd00:200:1::3',
    destroy: async () => {
      await run('ip', ['netns', 'del', speakerNs]);
      await run('ip', ['netns', 'del', upstreamNs]);
    },
  };
  try {
    await runOk('ip', ['netns', 'add', speakerNs]);
    await runOk('ip', ['netns', 'add', upstreamNs]);
    await runOk('ip', ['link', 'add', vs, 'type', 'veth', 'peer', 'name', vu]);
    await runOk('ip', ['link', 'set', vs, 'netns', speakerNs]);
    await runOk('ip', ['link', 'set', vu, 'netns', upstreamNs]);
    for (const [ns, dev, addrs] of [[speakerNs, vs, [`${link.speakerV4}/24`]], [upstreamNs, vu, [`${link.upstreamV4}/24`, `${link.upstream2V4}/24`]]] as const) {
      for (const a of addrs) await runOk('ip', ['-n', ns, 'addr', 'add', a, 'dev', dev]);
      await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await runOk('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    for (const [ns, dev, addrs] of [[speakerNs, vs, [link.speakerV6]], [upstreamNs, vu, [link.upstreamV6, link.upstream2V6]]] as const) {
      for (const a of addrs) await runOk('ip', ['-n', ns, '-6', 'addr', 'add', `${a}/64`, 'dev', dev, 'nodad']);
    }
  } catch (err) {
    await link.destroy();
    throw err;
  }
  return link;
}
