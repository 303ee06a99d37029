// Address text for records. IPv4 goes through a small direct-mapped cache: a flood repeats the
// same few destinations, and building the string is most of a record's cost otherwise.
import { formatIpv6 } from '@breakwater/packets';
import { u32 } from './bytes.ts';

const CACHE_SIZE = 4096;
const cachedKey = new Float64Array(CACHE_SIZE).fill(-1);
const cachedText: string[] = new Array<string>(CACHE_SIZE).fill('');

export function ipv4Text(addr: number): string {
  const slot = (Math.imul(addr, 0x9e3779b1) >>> 20) & (CACHE_SIZE - 1);
  if (cachedKey[slot] === addr) return cachedText[slot]!;
  const text = `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
  cachedKey[slot] = addr;
  cachedText[slot] = text;
  return text;
}

export function ipv4At(b: Uint8Array, off: number): string {
  return ipv4Text(u32(b, off));
}

export function ipv6At(b: Uint8Array, off: number): string {
  return formatIpv6(b, off);
}
