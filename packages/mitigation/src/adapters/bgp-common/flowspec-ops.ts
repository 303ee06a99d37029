// RFC 8955 §4.2.1 operators, shared by the encoders: numeric components as OR-ed ranges and
// bitmask components (TCP flags, fragment) as bit sets.
import type { FragmentName, NumRange, TcpFlagName } from '@breakwater/contracts';

export const OP_END = 0x80;
export const OP_AND = 0x40;
export const OP_LT = 0x04;
export const OP_GT = 0x02;
export const OP_EQ = 0x01;
/** Bitmask operator bits. */
export const BIT_NOT = 0x02;
export const BIT_MATCH = 0x01;

export const TCP_FLAG_BITS: Record<TcpFlagName, number> = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20, ece: 0x40, cwr: 0x80 };
export const FRAGMENT_BITS: Record<FragmentName, number> = { 'dont-fragment': 0x01, 'is-fragment': 0x02, 'first-fragment': 0x04, 'last-fragment': 0x08 };

export interface OpItem { op: number; value: number }

/** Ranges → numeric items: each range is `= v` or `>= from AND <= to`; ranges are OR-ed. E bit on the last. */
export function rangesToItems(ranges: NumRange[]): OpItem[] {
  const items: OpItem[] = [];
  for (const r of ranges) {
    if (r.from === r.to) items.push({ op: OP_EQ, value: r.from });
    else items.push({ op: OP_GT | OP_EQ, value: r.from }, { op: OP_AND | OP_LT | OP_EQ, value: r.to });
  }
  if (items.length) items[items.length - 1]!.op |= OP_END;
  return items;
}

/**
 * Numeric items → ranges, for reading a speaker's RIB back. Returns null for what a NumRange list
 * cannot say (a != or an open-ended AND group we cannot bound), so the caller can skip the rule.
 */
export function itemsToRanges(items: OpItem[], max = 65535): NumRange[] | null {
  const groups: OpItem[][] = [];
  for (const it of items) {
    if (!groups.length || !(it.op & OP_AND)) groups.push([it]);
    else groups[groups.length - 1]!.push(it);
  }
  const out: NumRange[] = [];
  for (const g of groups) {
    let from = 0;
    let to = max;
    for (const it of g) {
      const cmp = it.op & 0x07;
      const v = it.value;
      if (cmp === OP_EQ) { from = Math.max(from, v); to = Math.min(to, v); }
      else if (cmp === (OP_GT | OP_EQ)) from = Math.max(from, v);
      else if (cmp === OP_GT) from = Math.max(from, v + 1);
      else if (cmp === (OP_LT | OP_EQ)) to = Math.min(to, v);
      else if (cmp === OP_LT) to = Math.min(to, v - 1);
      else return null;
    }
    if (from > to) return null;
    out.push({ from, to });
  }
  return out.length ? out : null;
}

export function bitsOf<K extends string>(names: K[], table: Record<K, number>): number {
  return names.reduce((acc, n) => acc | table[n], 0);
}

export function namesOf<K extends string>(bits: number, table: Record<K, number>): K[] {
  return (Object.keys(table) as K[]).filter((k) => (bits & table[k]) !== 0);
}
