// What kind of address an IP is, for the outbound policy. IPv6 forms that carry an IPv4 address
// (::ffff:a.b.c.d, 64:ff9b::/96 NAT64, 2002::/16 6to4) are judged by the IPv4 address inside, so
// "[::ffff:169.254.169.254]" is the metadata address it reaches.
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'metadata' | 'reserved';

/** Cloud instance-metadata services: never called, whatever the config says. */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '169.254.169.123', '100.100.100.200', '168.63.129.16', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

/** Names of metadata services that resolve only inside their cloud. */
export const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'metadata.azure.internal', 'instance-data', 'instance-data.ec2.internal', 'metadata.tencentyun.com', 'metadata.packet.net']);

type V4Range = [base: number, bits: number, cls: AddressClass];
const v4 = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const V4_RANGES: V4Range[] = [
  [v4('0.0.0.0'), 8, 'loopback'], // "this host": connecting to 0.0.0.0 reaches the local machine
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link_local'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('100.64.0.0'), 10, 'private'], // carrier-grade NAT, also cloud-internal ranges
  [v4('198.18.0.0'), 15, 'private'], // benchmarking networks
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('224.0.0.0'), 4, 'reserved'], // multicast
  [v4('240.0.0.0'), 4, 'reserved'], // reserved and broadcast
];

function classifyV4(addr: string): AddressClass {
  if (METADATA_V4.has(addr)) return 'metadata';
  const n = v4(addr);
  for (const [base, bits, cls] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return cls;
  }
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null. */
export function ipv6Groups(addr: string): number[] | null {
  let a = addr.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(a);
  if (dotted) {
    const n = v4(dotted[1]!);
    a = `${a.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 0) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff) ? null : groups;
}

const v4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

function classifyV6(addr: string): AddressClass {
  const g = ipv6Groups(addr);
  if (!g) return 'reserved';
  if (METADATA_V6.has(g.map((x) => x.toString(16)).join(':'))) return 'metadata';
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && (g[7] === 0 || g[7] === 1)) return 'loopback'; // :: and ::1
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyV4(v4Of(g[6]!, g[7]!)); // IPv4-mapped
  if (zeroUpTo(6)) return classifyV4(v4Of(g[6]!, g[7]!)); // IPv4-compatible (deprecated, still routed by some stacks)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(v4Of(g[6]!, g[7]!)); // NAT64
  if (g[0] === 0x2002) { const inner = classifyV4(v4Of(g[1]!, g[2]!)); if (inner !== 'public') return inner; } // 6to4
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link_local';
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // old site-local
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved'; // multicast
  return 'public';
}

/** The class of an IP address (v4 or v6 text); anything that is not an IP is 'reserved'. */
export function classifyAddress(addr: string): AddressClass {
  const bare = addr.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return classifyV4(bare);
  if (family === 6) return classifyV6(bare);
  return 'reserved';
}

export const CLASS_WORDS: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address (this machine)',
  private: 'a private-network address',
  link_local: 'a link-local address',
  metadata: 'a cloud metadata address',
  reserved: 'a reserved or multicast address',
};
