// Bench traffic: N packets, each its own flow (random sources towards 256 protected hosts,
// UDP/TCP/ICMP mix), so NetFlow/IPFIX exporters send N records and sFlow at 1:1 N samples.
//   node bench/flows/traffic.ts OUT.pcap [packets = 100000]
import { writeFileSync } from 'node:fs';
import { TcpFlag, buildPcap } from '@breakwater/packets';
import { ethernet, icmp, ipv4, tcp, udp } from '@breakwater/packets/testing';

export const TRAFFIC_VERSION = 1;

export function benchFrames(n: number): Uint8Array[] {
  // A fixed LCG: the same file every time.
  let x = 12345;
  const rnd = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const src = `${(r >>> 24) % 223 + 1}.${(r >>> 16) & 255}.${(r >>> 8) & 255}.${(r & 255) | 1}`;
    const dst = `198.18.7.${i % 256}`;
    const sport = 1024 + (rnd() % 60000);
    const kind = i % 10;
    const payload =
      kind < 6
        ? ipv4({ src, dst, protocol: 17, ttl: 50, payload: udp(kind < 3 ? 53 : sport, 80 + (i % 3), new Uint8Array(64)) })
        : kind < 9
          ? ipv4({ src, dst, protocol: 6, ttl: 50, payload: tcp({ srcPort: sport, dstPort: 443, flags: TcpFlag.syn }) })
          : ipv4({ src, dst, protocol: 1, ttl: 50, payload: icmp(8, 0, new Uint8Array(32)) });
    frames.push(ethernet(0x0800, payload));
  }
  return frames;
}

if (import.meta.main) {
  const out = process.argv[2];
  const n = Number(process.argv[3] ?? 100_000);
  if (out === undefined) throw new Error('usage: traffic.ts OUT.pcap [packets]');
  const base = 1_767_225_600;
  writeFileSync(out, buildPcap({ linktype: 1 }, benchFrames(n).map((data, i) => ({ tsSec: base + Math.floor(i / 100_000), tsNs: (i % 100_000) * 10_000, data }))));
}
