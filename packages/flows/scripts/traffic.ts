// The packets the flow fixtures are made from: IPv4 and IPv6 TCP/UDP/ICMP flows, IPv4
// fragments, and VLAN- and MPLS-encapsulated frames. Built with the packets test builders;
// the exporters (softflowd, pmacctd) turn them into NetFlow/IPFIX/sFlow.
//   Usage: node scripts/traffic.ts OUT.pcap
import { writeFileSync } from 'node:fs';
import { TcpFlag, buildPcap } from '@breakwater/packets';
import { concat, ethernet, icmp, ipv4, ipv6, tcp, u32, udp } from '@breakwater/packets/testing';

/** Fixed so the fixtures do not change from run to run: 2026-01-01T00:00:00Z. */
export const TRAFFIC_START_SEC = 1_767_225_600;

/** One MPLS label stack entry; the last one gets bottom-of-stack. */
function mpls(labels: number[], payload: Uint8Array): Uint8Array {
  const entries = labels.map((label, i) => u32(((label & 0xfffff) << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64));
  return concat(...entries, payload);
}

export function trafficFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const v4 = (src: string, dst: string, protocol: number, payload: Uint8Array, extra: Partial<Parameters<typeof ipv4>[0]> = {}): Uint8Array =>
    ethernet(0x0800, ipv4({ src, dst, protocol, ttl: 61, payload, ...extra }));
  const v6 = (src: string, dst: string, protocol: number, payload: Uint8Array): Uint8Array => ethernet(0x86dd, ipv6({ src, dst, protocol, hopLimit: 57, payload }));
  for (let i = 0; i < 20; i++) frames.push(v4('10.200.0.1', '10.200.0.5', 6, tcp({ srcPort: 40001, dstPort: 80, flags: TcpFlag.syn, seq: 1000 + i })));
  for (let i = 0; i < 15; i++) frames.push(v4('10.200.0.2', '10.200.0.5', 17, udp(53, 33333, new Uint8Array(512))));
  for (let i = 0; i < 5; i++) frames.push(v4('10.200.0.3', '10.200.0.5', 1, icmp(8, 0, new Uint8Array(56))));
  for (let i = 0; i < 10; i++) frames.push(v6('2001:db8::1', '2001:db8::5', 6, tcp({ srcPort: 443, dstPort: 50000, flags: TcpFlag.ack | TcpFlag.psh, payload: new Uint8Array(100) })));
  for (let i = 0; i < 8; i++) frames.push(v6('2001:db8::2', '2001:db8::5', 17, udp(123, 123, new Uint8Array(468))));
  for (let i = 0; i < 3; i++) {
    frames.push(v4('10.200.0.4', '10.200.0.5', 17, udp(5353, 5353, new Uint8Array(1000)), { moreFragments: true, id: 700 + i }));
    frames.push(v4('10.200.0.4', '10.200.0.5', 17, new Uint8Array(400), { fragmentOffset: 1008, id: 700 + i }));
  }
  for (let i = 0; i < 6; i++) frames.push(ethernet(0x0800, ipv4({ src: '198.18.0.1', dst: '198.18.0.9', protocol: 17, ttl: 30, payload: udp(1234, 80, new Uint8Array(64)) }), [{ tpid: 0x8100, vid: 100 }]));
  for (let i = 0; i < 4; i++) frames.push(ethernet(0x8847, mpls([1001, 2002], ipv4({ src: '198.18.1.1', dst: '198.18.1.9', protocol: 6, ttl: 40, payload: tcp({ srcPort: 51515, dstPort: 22, flags: TcpFlag.syn }) }))));
  for (let i = 0; i < 3; i++) frames.push(ethernet(0x8847, mpls([3003], ipv6({ src: '2001:db8:1::1', dst: '2001:db8:1::9', protocol: 17, hopLimit: 20, payload: udp(4000, 53, new Uint8Array(32)) }))));
  // Filler last: pmacctd's sfprobe does not send its last, partly filled datagram at the end of a savefile.
  for (let i = 0; i < 40; i++) frames.push(v4('10.200.0.9', '10.200.0.99', 17, udp(9, 9, new Uint8Array(8))));
  return frames;
}

if (import.meta.main) {
  const out = process.argv[2];
  if (out === undefined) throw new Error('usage: traffic.ts OUT.pcap');
  // 1 ms apart, so every exporter sees the same order and the flows overlap in time.
  const bytes = buildPcap({ linktype: 1 }, trafficFrames().map((data, i) => ({ tsSec: TRAFFIC_START_SEC + Math.floor(i / 1000), tsNs: (i % 1000) * 1_000_000, data })));
  writeFileSync(out, bytes);
}
