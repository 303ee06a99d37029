// The benchmark's capture: a random-source SYN flood on top of ordinary traffic from
// many sources, in a random (not periodic) order, as a DDoS sensor sees it. Frames are
// cut at a 128-byte snaplen with the wire length kept (as `tcpdump -s 128 -w` writes).
// Each class is a few prebuilt frames whose addresses, ports, TTL and flags are patched
// per packet; checksums are not recomputed (neither we nor tcpdump -n / tshark check them).
import { encodePcapHeader, encodePcapRecord, Linktype, TcpFlag } from '@breakwater/packets';
import { ethernet, gre, icmp, ipv4, ipv6, tcp, udp } from '@breakwater/packets/testing';

export const SNAPLEN = 128;
/** Bumped whenever what generate() writes changes, so a stale file is rebuilt. */
export const MIX_VERSION = 2;

type Patch = 'v4' | 'v6' | 'none';

interface TrafficClass {
  name: string;
  /** Share of packets, percent. */
  share: number;
  /** Protocol it counts as in TickStats.byProtocol. */
  proto: 'tcp' | 'udp' | 'icmp' | 'gre' | 'other';
  /** Where its sources come from (printed). */
  sources: string;
  /** Source address for one packet: an IPv4 number, or the low 32 bits of an IPv6 one. */
  source: (rnd: () => number) => number;
  /** Wire sizes to pick from, each prebuilt. */
  sizes: readonly number[];
  build: (size: number) => Uint8Array;
  patch: Patch;
  /** Randomise the destination port (else the template's) and the source port. */
  randomDstPort?: boolean;
  randomSrcPort?: boolean;
  tcpFlags?: readonly number[];
  ttl: readonly [number, number];
}

const DST4 = '203.0.113.10';
const DST6 = '2001:db8:ffff::10';

/** Power-law pick from a pool of n: a few busy members, a long tail. */
function skewed(rnd: () => number, n: number, power: number): number {
  return Math.floor(n * (rnd() / 0x1_0000_0000) ** power);
}

function pad(size: number, headers: number): Uint8Array {
  return new Uint8Array(Math.max(0, size - headers));
}

export const CLASSES: readonly TrafficClass[] = [
  {
    name: 'SYN flood, spoofed',
    proto: 'tcp',
    share: 45,
    sources: 'uniform random over all of IPv4',
    source: (rnd) => rnd(),
    sizes: [54],
    build: () => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 6, payload: tcp({ srcPort: 1, dstPort: 80, flags: TcpFlag.syn }) })),
    patch: 'v4',
    randomSrcPort: true,
    tcpFlags: [TcpFlag.syn],
    ttl: [32, 255],
  },
  {
    name: 'TCP clients (HTTPS/HTTP)',
    proto: 'tcp',
    share: 25,
    sources: '20,000 clients in 100.64.0.0/10, power-law busy',
    source: (rnd) => 0x64400000 + skewed(rnd, 20_000, 3),
    sizes: [66, 66, 583, 1514],
    build: (size) => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 6, payload: tcp({ srcPort: 1, dstPort: 443, flags: TcpFlag.ack, payload: pad(size, 54) }) })),
    patch: 'v4',
    randomSrcPort: true,
    tcpFlags: [TcpFlag.ack, TcpFlag.ack, TcpFlag.ack | TcpFlag.psh, TcpFlag.fin | TcpFlag.ack, TcpFlag.syn | TcpFlag.ack, TcpFlag.rst],
    ttl: [40, 128],
  },
  {
    name: 'DNS answers',
    proto: 'udp',
    share: 12,
    sources: '2,000 resolvers in 198.51.96.0/20',
    source: (rnd) => 0xc6336000 + skewed(rnd, 2000, 2),
    sizes: [90, 150, 300, 512, 1200, 1400],
    build: (size) => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 17, payload: udp(53, 40000, pad(size, 42)) })),
    patch: 'v4',
    randomDstPort: true,
    ttl: [50, 64],
  },
  {
    name: 'QUIC / UDP 443',
    proto: 'udp',
    share: 5,
    sources: 'the TCP clients',
    source: (rnd) => 0x64400000 + skewed(rnd, 20_000, 3),
    sizes: [1292, 1392],
    build: (size) => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 17, payload: udp(50000, 443, pad(size, 42)) })),
    patch: 'v4',
    randomSrcPort: true,
    ttl: [40, 128],
  },
  {
    name: 'IPv6 TCP clients',
    proto: 'tcp',
    share: 6,
    sources: '5,000 clients in 2001:db8:1::/64',
    source: (rnd) => skewed(rnd, 5000, 3),
    sizes: [86, 1514],
    build: (size) => ethernet(0x86dd, ipv6({ src: '2001:db8:1::', dst: DST6, protocol: 6, payload: tcp({ srcPort: 1, dstPort: 443, flags: TcpFlag.ack, payload: pad(size, 74) }) })),
    patch: 'v6',
    randomSrcPort: true,
    tcpFlags: [TcpFlag.ack, TcpFlag.ack | TcpFlag.psh],
    ttl: [50, 64],
  },
  {
    name: 'ICMP echo',
    proto: 'icmp',
    share: 4,
    sources: '500 hosts in 192.0.2.0/23',
    source: (rnd) => 0xc0000200 + skewed(rnd, 500, 1),
    sizes: [98],
    build: (size) => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 1, payload: icmp(8, 0, pad(size, 42)) })),
    patch: 'v4',
    ttl: [50, 64],
  },
  {
    name: 'GRE tunnels',
    proto: 'gre',
    share: 2,
    sources: '4 tunnel endpoints',
    source: (rnd) => 0xc6120000 + (rnd() & 3),
    sizes: [400, 1476],
    build: (size) => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 47, payload: gre({ protocol: 0x0800, payload: ipv4({ src: '10.1.1.1', dst: '10.2.2.2', protocol: 17, payload: udp(4000, 5000, pad(size, 66)) }) }) })),
    patch: 'v4',
    ttl: [60, 64],
  },
  {
    name: 'IPv4 fragments',
    proto: 'udp',
    share: 0.5,
    sources: 'the DNS resolvers',
    source: (rnd) => 0xc6336000 + skewed(rnd, 2000, 2),
    sizes: [1514],
    build: (size) => ethernet(0x0800, ipv4({ src: '0.0.0.0', dst: DST4, protocol: 17, moreFragments: true, payload: udp(53, 40000, pad(size, 42)) })),
    patch: 'v4',
    ttl: [50, 64],
  },
  {
    name: 'ARP (not IP)',
    proto: 'other',
    share: 0.5,
    sources: '-',
    source: () => 0,
    sizes: [60],
    build: () => ethernet(0x0806, new Uint8Array(46)),
    patch: 'none',
    ttl: [0, 0],
  },
];

export function describeMix(): string[] {
  return CLASSES.map((c) => `  ${String(c.share).padStart(4)} %  ${c.name.padEnd(26)} sources: ${c.sources}`);
}

/** The whole capture, `count` packets 1 µs apart (100,000 per 100 ms tick). */
export function generate(count: number, seed = 0x12345678): Uint8Array {
  let state = seed >>> 0 || 1;
  const rnd = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const built = CLASSES.map((c) => c.sizes.map((size) => ({ size, frame: c.build(size) })));
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of CLASSES) cumulative.push((acc += c.share));
  const out = new Uint8Array(24 + count * (16 + SNAPLEN));
  const view = new DataView(out.buffer);
  let o = encodePcapHeader(out, 0, { linktype: Linktype.ethernet, snaplen: SNAPLEN });
  for (let i = 0; i < count; i++) {
    const pick = (rnd() / 0x1_0000_0000) * acc;
    let k = 0;
    while (pick >= cumulative[k]!) k++;
    const c = CLASSES[k]!;
    const variants = built[k]!;
    const { size, frame } = variants[rnd() % variants.length]!;
    const caplen = Math.min(frame.length, SNAPLEN);
    const start = o + 16;
    o += encodePcapRecord(out, o, 1_700_000_000 + Math.floor(i / 1_000_000), i % 1_000_000, frame, 0, caplen, Math.max(size, frame.length));
    if (c.patch === 'none') continue;
    const ip = start + 14;
    const l4 = ip + (c.patch === 'v4' ? 20 : 40);
    const src = c.source(rnd);
    const [lo, hi] = c.ttl;
    if (c.patch === 'v4') {
      out[ip + 8] = lo + (rnd() % (hi - lo + 1));
      view.setUint32(ip + 12, src >>> 0);
    } else {
      out[ip + 7] = lo + (rnd() % (hi - lo + 1));
      view.setUint32(ip + 8 + 12, src >>> 0);
    }
    if (c.randomSrcPort === true) view.setUint16(l4, 1024 + (rnd() % 64512));
    if (c.randomDstPort === true) view.setUint16(l4 + 2, 1024 + (rnd() % 64512));
    if (c.tcpFlags !== undefined) out[l4 + 13] = c.tcpFlags[rnd() % c.tcpFlags.length]!;
  }
  return out.subarray(0, o);
}
