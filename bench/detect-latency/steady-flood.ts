// Traffic at an exact rate: a pcap of UDP frames addressed to the victim's MAC, replayed by
// tcpreplay from the attacker namespace (hping3's interval timer cannot hold 10 kpps here:
// -i u100 gave ~5-6 kpps). The nanosleep timer keeps tcpreplay itself near 10% of a core.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPcap } from '@breakwater/packets';
import { concat, ipv4, udp } from '@breakwater/packets/testing';
import type { TestNet } from '@breakwater/testing';

const FRAMES = 1000;

/** The pcap of UDP frames to `dstPort` on the victim that the floods replay. */
export function floodPcap(n: TestNet, dir: string, dstPort = 7777): string {
  const mac = spawnSync('ip', ['netns', 'exec', n.victim, 'cat', `/sys/class/net/${n.victimIf}/address`], { encoding: 'utf8' }).stdout.trim();
  const dst = Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
  const src = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
  const frames = Array.from({ length: FRAMES }, (_, i) => ({
    tsMs: 1_700_000_000_000 + i,
    data: concat(dst, src, Uint8Array.of(0x08, 0x00), ipv4({ src: n.attackerIp, dst: n.victimIp, protocol: 17, id: i, payload: udp(40_000 + (i % 1000), dstPort, new Uint8Array(64)) })),
  }));
  const path = join(dir, `flood-${dstPort}.pcap`);
  writeFileSync(path, buildPcap({ linktype: 1 }, frames));
  return path;
}

/** Sends exactly `packets` at `pps` from the attacker namespace, without blocking the event loop. */
export function replayFlood(n: TestNet, path: string, pps: number, packets: number): Promise<number | null> {
  // --pps-multi sends in small bursts above ~50 kpps, where one packet per timer wake-up falls behind.
  const multi = pps > 50_000 ? ['--pps-multi=10'] : [];
  const p = spawn('ip', ['netns', 'exec', n.attacker, 'tcpreplay', '-q', '-i', n.attackerIf, `--pps=${pps}`, ...multi, `--limit=${packets}`, `--loop=${Math.ceil(packets / FRAMES)}`, '-T', 'nano', path], { stdio: 'ignore' });
  return new Promise((done) => p.once('exit', (code) => done(code)).once('error', () => done(null)));
}

/** Sends `pps` packets per second for about `seconds` (bounded by count); returns tcpreplay's exit status. */
export function steadyFlood(n: TestNet, dir: string, pps: number, seconds: number, dstPort = 7777): number | null {
  const path = floodPcap(n, dir, dstPort);
  const loops = Math.max(1, Math.round((pps * seconds) / FRAMES));
  const r = spawnSync('ip', ['netns', 'exec', n.attacker, 'tcpreplay', '-q', '-i', n.attackerIf, `--pps=${pps}`, `--loop=${loops}`, '-T', 'nano', path], { timeout: (seconds + 30) * 1000 });
  return r.status;
}
