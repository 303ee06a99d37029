// Minimal IPv4/IPv6 address and prefix parsing for per-host overrides. Addresses become bigints so
// one containment test serves both families.

export interface Prefix {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  let head = text;
  let tail = '';
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const low = parseV4(v4[2] ?? '');
    if (low === undefined) return undefined;
    head = `${v4[1] ?? ''}${((low >> 16n) & 0xffffn).toString(16)}:${(low & 0xffffn).toString(16)}`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  [head, tail] = [halves[0] ?? '', halves[1] ?? ''];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseV6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** "203.0.113.10" (a /32), "203.0.113.0/24", "2001:db8::/32". Host bits are masked off. */
export function parsePrefix(text: string): Prefix | undefined {
  if (typeof text !== 'string') return undefined;
  const [addr = '', len, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const parsed = parseAddress(addr);
  if (!parsed) return undefined;
  const width = parsed.family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const bits = len === undefined ? width : Number(len);
  if (bits > width) return undefined;
  const hostBits = BigInt(width - bits);
  return { family: parsed.family, base: (parsed.value >> hostBits) << hostBits, bits };
}

export function prefixContains(prefix: Prefix, address: string): boolean {
  const a = parseAddress(address);
  if (!a || a.family !== prefix.family) return false;
  const hostBits = BigInt((a.family === 4 ? 32 : 128) - prefix.bits);
  return (a.value >> hostBits) << hostBits === prefix.base;
}
