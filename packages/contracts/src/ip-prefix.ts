// The one IPv4/IPv6 address and prefix parser. Pure (no node: imports) so detection, packets and the
// dashboard can use it too. Addresses become bigints, so "is this target covered by that allowlist
// entry" is exact arithmetic rather than string matching. One failure convention: null. Callers
// that must throw (an adapter refusing a rule, a config check) wrap it at their edge.

export interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

export interface IpPrefix {
  family: 4 | 6;
  /** Network address with host bits cleared. */
  bits: bigint;
  len: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const GROUP = /^[0-9a-fA-F]{1,4}$/;
// A scope zone ("fe80::1%eth0") is accepted and ignored, as Node's isIPv6 does.
const ZONE = /%[0-9a-zA-Z.:-]+$/;

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const p of parts) {
    if (!OCTET.test(p)) return null;
    value = (value << 8n) | BigInt(Number(p));
  }
  return value;
}

function parseV6(text: string): bigint | null {
  let head = text.replace(ZONE, '');
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (v4) {
    const low = parseV4(v4[2] ?? '');
    if (low === null) return null;
    head = `${v4[1] ?? ''}${((low >> 16n) & 0xffffn).toString(16)}:${(low & 0xffffn).toString(16)}`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0] ?? '');
  const right = groups(halves[1] ?? '');
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  let value = 0n;
  for (const g of [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]) {
    if (!GROUP.test(g)) return null;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

/** "203.0.113.10", "2001:db8::1", "::ffff:192.0.2.1"; null when it is not an IP address. */
export function parseAddress(text: string): ParsedAddress | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const v4 = parseV4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseV6(text) : null;
  return v6 === null ? null : { family: 6, value: v6 };
}

/** "addr" (a host prefix) or "addr/len"; null when it is neither. Host bits are cleared. */
export function parsePrefix(text: string): IpPrefix | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const slash = text.indexOf('/');
  const a = parseAddress(slash >= 0 ? text.slice(0, slash) : text);
  if (!a) return null;
  const max = a.family === 4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l)) return null;
    len = Number(l);
    if (len > max) return null;
  }
  const hostBits = BigInt(max - len);
  return { family: a.family, bits: (a.value >> hostBits) << hostBits, len };
}

export function formatPrefix(p: IpPrefix): string {
  if (p.family === 4) {
    const n = Number(p.bits);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p.len}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((p.bits >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Shorten the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const text = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  return `${text}/${p.len}`;
}

/** The canonical "network/len" text, or null when the input is not an address or prefix. */
export function canonicalPrefix(text: string): string | null {
  const p = parsePrefix(text);
  return p ? formatPrefix(p) : null;
}

/** True when the two prefixes share at least one address. */
export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  if (a.family !== b.family) return false;
  const shift = BigInt((a.family === 4 ? 32 : 128) - Math.min(a.len, b.len));
  return a.bits >> shift === b.bits >> shift;
}

/** True when `outer` holds every address of `inner`. */
export function prefixCovers(outer: IpPrefix, inner: IpPrefix): boolean {
  return outer.len <= inner.len && prefixesOverlap(outer, inner);
}

/** True when `address` (text) is inside `prefix`. */
export function prefixContains(prefix: IpPrefix, address: string): boolean {
  const a = parseAddress(address);
  if (!a || a.family !== prefix.family) return false;
  const hostBits = BigInt((a.family === 4 ? 32 : 128) - prefix.len);
  return (a.value >> hostBits) << hostBits === prefix.bits;
}
