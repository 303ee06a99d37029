// Addresses as four 32-bit words so heavy hitters, distinct counts and the geo cache can
// key on them without strings. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d).
import type { IpLayer } from '../decode/decoded-packet.ts';
import { formatIpv4, formatIpv6 } from '../decode/format-address.ts';

/** Reads the source address of `l` into `out[0..3]`. */
export function readSourceKey(l: IpLayer, b: Uint8Array, out: Uint32Array): void {
  if (l.version === 4) {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0xffff;
    out[3] = l.src4;
    return;
  }
  const o = l.srcOffset;
  out[0] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  out[1] = (b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!;
  out[2] = (b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!;
  out[3] = (b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!;
}

/** 32-bit hash with full avalanche (murmur3 finaliser over a word mix). */
export function hashKey(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The state hashKey() reaches after the words every IPv4-mapped key shares (0, 0, 0xffff). */
const V4_PREFIX = ((): number => {
  let h = Math.imul(0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ 0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ 0xffff, 0x85ebca6b);
  return h ^ (h >>> 16);
})();

/** hashKey(0, 0, 0xffff, addr) for an IPv4 address, in half the multiplications. */
export function hashV4(addr: number): number {
  let h = Math.imul(V4_PREFIX ^ addr, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function formatKey(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return formatIpv4(w3 >>> 0);
  return formatKeyAsIpv6(w0, w1, w2, w3);
}

/** The key in IPv6 text form, also when it is IPv4-mapped (::ffff:a0b:c0d). */
export function formatKeyAsIpv6(w0: number, w1: number, w2: number, w3: number): string {
  const b = new Uint8Array(16);
  const words = [w0, w1, w2, w3];
  for (let i = 0; i < 4; i++) {
    const w = words[i]!;
    b[4 * i] = w >>> 24;
    b[4 * i + 1] = w >>> 16;
    b[4 * i + 2] = w >>> 8;
    b[4 * i + 3] = w;
  }
  return formatIpv6(b, 0);
}
