// Writes a pcap of frames this machine's kernel cannot produce (no GRE or VLAN modules
// here): GRE with IPv4/IPv6/Ethernet inside, QinQ, IPv6 extension header chains, IPv4
// options, tiny fragments. Built with our builder, but checked against tshark's decoding,
// which is independent of ours.   Usage: node scripts/synthetic-fixture.ts OUT.pcap
import { writeFileSync } from 'node:fs';
import { TcpFlag } from '../src/decode/decoded-packet.ts';
import { ascii, ethernet, gre, icmp, ipv4, ipv6, tcp, udp } from '../src/testing/packet-builder.ts';
import { buildPcap } from '../src/capture-file/pcap-writer.ts';

const out = process.argv[2];
if (out === undefined) throw new Error('usage: synthetic-fixture.ts OUT.pcap');

const http = tcp({ srcPort: 51000, dstPort: 80, flags: TcpFlag.psh | TcpFlag.ack, seq: 1000, ack: 2000, options: Uint8Array.of(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2), payload: ascii('GET / HTTP/1.1\r\n\r\n') });
const v4 = (proto: number, payload: Uint8Array, extra: Partial<Parameters<typeof ipv4>[0]> = {}): Uint8Array =>
  ipv4({ src: '198.18.1.1', dst: '10.200.0.5', protocol: proto, ttl: 61, payload, ...extra });
const v6 = (proto: number, payload: Uint8Array, extra: Partial<Parameters<typeof ipv6>[0]> = {}): Uint8Array =>
  ipv6({ src: '2001:db8:1::1', dst: '2001:db8:200::5', protocol: proto, hopLimit: 33, payload, ...extra });

const frames: Uint8Array[] = [
  ethernet(0x0800, v4(6, http)),
  ethernet(0x0800, v4(17, udp(123, 40000, new Uint8Array(48))), [{ tpid: 0x8100, vid: 100 }]),
  ethernet(0x86dd, v6(6, http), [
    { tpid: 0x88a8, vid: 300 },
    { tpid: 0x8100, vid: 42 },
  ]),
  ethernet(0x0800, v4(1, icmp(8, 0, new Uint8Array(16)), { options: Uint8Array.of(7, 7, 4, 0, 0, 0, 0) })),
  ethernet(0x0800, v4(17, udp(5353, 5353, new Uint8Array(30)), { moreFragments: true, id: 4242 })),
  ethernet(0x0800, v4(17, new Uint8Array(24), { fragmentOffset: 40, id: 4242 })),
  ethernet(0x0800, v4(6, new Uint8Array(8), { moreFragments: true, id: 99 })),
  ethernet(0x0800, v4(47, gre({ protocol: 0x0800, payload: v4(17, udp(1111, 53, ascii('dns?'))) }))),
  ethernet(0x0800, v4(47, gre({ protocol: 0x0800, key: 77, seq: 5, checksum: true, payload: v4(6, tcp({ srcPort: 2, dstPort: 443, flags: TcpFlag.syn })) }))),
  ethernet(0x0800, v4(47, gre({ protocol: 0x86dd, payload: v6(58, icmp(128, 0, new Uint8Array(8))) }))),
  ethernet(0x0800, v4(47, gre({ protocol: 0x6558, key: 9, payload: ethernet(0x0800, v4(17, udp(7, 9, new Uint8Array(10)))) }))),
  ethernet(0x86dd, v6(47, gre({ protocol: 0x0800, payload: v4(6, tcp({ srcPort: 9, dstPort: 25, flags: TcpFlag.rst })) }))),
  ethernet(0x86dd, v6(17, udp(547, 546, new Uint8Array(20)), { ext: [{ type: 0 }, { type: 60, body: new Uint8Array(14) }] })),
  ethernet(0x86dd, v6(6, http, { ext: [{ type: 43, body: Uint8Array.of(0, 0, 0, 0, 0, 0) }, { type: 60 }] })),
  ethernet(0x86dd, v6(17, udp(1, 2, new Uint8Array(64)), { ext: [{ type: 60 }], fragment: { offset: 0, more: true, id: 7 } })),
  ethernet(0x86dd, v6(17, new Uint8Array(32), { fragment: { offset: 1448, more: false, id: 7 } })),
  ethernet(0x86dd, v6(58, icmp(135, 0, new Uint8Array(20)), { hopLimit: 255 })),
  ethernet(0x0800, v4(6, tcp({ srcPort: 3, dstPort: 4, flags: TcpFlag.fin | TcpFlag.psh | TcpFlag.urg | TcpFlag.ns }))),
];

const bytes = buildPcap({ linktype: 1 }, frames.map((data, i) => ({ tsSec: 1_700_000_000, tsNs: i * 1000, data })));
writeFileSync(out, bytes);
