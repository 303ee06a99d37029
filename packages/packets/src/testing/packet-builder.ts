// Builds packets byte by byte for tests, fuzz seeds and benchmark traffic. Not for the
// hot path: every call allocates.

import { concatBytes } from '../capture-file/bytes.ts';
export interface Ipv4Spec {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  tos?: number;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Bytes; must be a multiple of 8. */
  fragmentOffset?: number;
  /** Raw option bytes, padded here to a multiple of 4. */
  options?: Uint8Array;
  /** Overrides the computed total length (for malformed-input tests). */
  totalLength?: number;
}

export interface Ipv6ExtHeader {
  type: number;
  /** Bytes after next-header/length; padded here to make the header a multiple of 8. */
  body?: Uint8Array;
}

export interface Ipv6Spec {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  hopLimit?: number;
  ext?: Ipv6ExtHeader[];
  /** Adds a fragment header last in the chain. */
  fragment?: { offset: number; more: boolean; id: number };
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

export function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 ${s}`);
  return Uint8Array.from(parts);
}

export function parseIpv6(s: string): Uint8Array {
  const [head = '', tail] = s.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${s}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length % 2 === 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const opts = spec.options ?? new Uint8Array(0);
  const optLen = Math.ceil(opts.length / 4) * 4;
  const h = new Uint8Array(20 + optLen);
  h[0] = 0x40 | ((20 + optLen) >> 2);
  h[1] = spec.tos ?? 0;
  h.set(u16(spec.totalLength ?? h.length + spec.payload.length), 2);
  h.set(u16(spec.id ?? 0x1234), 4);
  const frag = (spec.dontFragment ? 0x4000 : 0) | (spec.moreFragments ? 0x2000 : 0) | ((spec.fragmentOffset ?? 0) >> 3);
  h.set(u16(frag), 6);
  h[8] = spec.ttl ?? 64;
  h[9] = spec.protocol;
  h.set(parseIpv4(spec.src), 12);
  h.set(parseIpv4(spec.dst), 16);
  h.set(opts, 20);
  h.set(u16(checksum(h)), 10);
  return concat(h, spec.payload);
}

export function ipv6(spec: Ipv6Spec): Uint8Array {
  const chain: { type: number; bytes: Uint8Array }[] = (spec.ext ?? []).map((e) => {
    const body = e.body ?? new Uint8Array(6);
    const len = Math.max(8, Math.ceil((body.length + 2) / 8) * 8);
    const bytes = new Uint8Array(len);
    bytes.set(body, 2);
    bytes[1] = len / 8 - 1;
    return { type: e.type, bytes };
  });
  if (spec.fragment) {
    const f = new Uint8Array(8);
    f.set(u16((spec.fragment.offset & 0xfff8) | (spec.fragment.more ? 1 : 0)), 2);
    f.set(u32(spec.fragment.id), 4);
    chain.push({ type: 44, bytes: f });
  }
  for (let i = 0; i < chain.length; i++) chain[i]!.bytes[0] = i + 1 < chain.length ? chain[i + 1]!.type : spec.protocol;
  const ext = concat(...chain.map((c) => c.bytes));
  const h = new Uint8Array(40);
  h[0] = 0x60;
  h.set(u16(ext.length + spec.payload.length), 4);
  h[6] = chain.length > 0 ? chain[0]!.type : spec.protocol;
  h[7] = spec.hopLimit ?? 64;
  h.set(parseIpv6(spec.src), 8);
  h.set(parseIpv6(spec.dst), 24);
  return concat(h, ext, spec.payload);
}

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  flags: number;
  seq?: number;
  ack?: number;
  window?: number;
  options?: Uint8Array;
  payload?: Uint8Array;
}

export function tcp(spec: TcpSpec): Uint8Array {
  const opts = spec.options ?? new Uint8Array(0);
  const optLen = Math.ceil(opts.length / 4) * 4;
  const h = new Uint8Array(20 + optLen);
  h.set(u16(spec.srcPort), 0);
  h.set(u16(spec.dstPort), 2);
  h.set(u32(spec.seq ?? 1), 4);
  h.set(u32(spec.ack ?? 0), 8);
  h[12] = (((20 + optLen) >> 2) << 4) | ((spec.flags >> 8) & 1);
  h[13] = spec.flags & 0xff;
  h.set(u16(spec.window ?? 65535), 14);
  h.set(opts, 20);
  return concat(h, spec.payload ?? new Uint8Array(0));
}

export function udp(srcPort: number, dstPort: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(u16(srcPort), u16(dstPort), u16(8 + payload.length), u16(0), payload);
}

export function icmp(type: number, code: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(Uint8Array.of(type, code, 0, 0, 0, 1, 0, 1), payload);
}

export interface GreSpec {
  protocol: number;
  payload: Uint8Array;
  checksum?: boolean;
  key?: number;
  seq?: number;
}

export function gre(spec: GreSpec): Uint8Array {
  const flags = (spec.checksum ? 0x8000 : 0) | (spec.key !== undefined ? 0x2000 : 0) | (spec.seq !== undefined ? 0x1000 : 0);
  return concat(
    u16(flags),
    u16(spec.protocol),
    spec.checksum ? u32(0) : new Uint8Array(0),
    spec.key !== undefined ? u32(spec.key) : new Uint8Array(0),
    spec.seq !== undefined ? u32(spec.seq) : new Uint8Array(0),
    spec.payload,
  );
}

export interface VlanTag {
  tpid: number;
  vid: number;
}

export function ethernet(etherType: number, payload: Uint8Array, vlans: VlanTag[] = []): Uint8Array {
  const macs = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01);
  const tags = vlans.map((v) => concat(u16(v.tpid), u16(v.vid)));
  return concat(macs, ...tags, u16(etherType), payload);
}

export function sll(protocol: number, payload: Uint8Array, packetType = 0): Uint8Array {
  return concat(u16(packetType), u16(1), u16(6), Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0), u16(protocol), payload);
}

export function sll2(protocol: number, payload: Uint8Array, ifIndex = 3, packetType = 0): Uint8Array {
  return concat(u16(protocol), u16(0), u32(ifIndex), u16(1), Uint8Array.of(packetType, 6), Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 0), payload);
}
