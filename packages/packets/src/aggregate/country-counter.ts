// Country breakdown through an injected geo lookup (the GeoIP reader lives elsewhere).
// Lookups are cached per address in a direct-mapped table and capped per tick: under a
// random-source flood every packet would miss, and a lookup per packet (plus the address
// string it needs) would cost more than decoding. Past the cap, one miss in
// `MISS_STRIDE` is looked up and credited for the misses since the last one, so totals stay
// exact and the split is a systematic sample.

import { formatKeyAsIpv6 } from './address-key.ts';
import { formatIpv4 } from '../decode/format-address.ts';

export type GeoLookup = (ip: string) => string | null | undefined;

const UNKNOWN = '??';
const CACHE_BITS = 12;
const MISS_STRIDE = 16;
/** Distinct raw answers remembered; a lookup answering garbage cannot grow memory. */
const MAX_ANSWERS = 1024;

export class CountryCounter {
  readonly #geo: GeoLookup;
  readonly #budget: number;
  readonly #cacheKeys = new Int32Array((1 << CACHE_BITS) * 4);
  /** Interned country index + 1; 0 = empty slot. */
  readonly #cacheCode = new Int32Array(1 << CACHE_BITS);
  readonly #codes: string[] = [];
  readonly #codeIndex = new Map<string, number>();
  /** Raw lookup answer → country index, so a repeated answer skips the checks. */
  readonly #answers = new Map<string, number>();
  #counts: number[] = [];
  #lookups = 0;
  #pendingMisses = 0;

  constructor(geo: GeoLookup, lookupsPerTick = 2048) {
    this.#geo = geo;
    this.#budget = lookupsPerTick;
  }

  /** Credits one packet to the source with these key words and hash; `v6` when it came as IPv6. */
  add(w0: number, w1: number, w2: number, w3: number, hash: number, v6: boolean): void {
    const slot = hash >>> (32 - CACHE_BITS);
    const k = slot << 2;
    const keys = this.#cacheKeys;
    const cached = this.#cacheCode[slot]!;
    if (cached !== 0 && keys[k | 3] === (w3 | 0) && keys[k] === (w0 | 0) && keys[k | 1] === (w1 | 0) && keys[k | 2] === (w2 | 0)) {
      this.#counts[cached - 1]! += 1;
      return;
    }
    let weight = 1;
    if (this.#lookups >= this.#budget) {
      this.#pendingMisses++;
      if (this.#pendingMisses < MISS_STRIDE) return;
      weight = this.#pendingMisses;
      this.#pendingMisses = 0;
    }
    this.#lookups++;
    const idx = this.#lookup(v6 ? formatKeyAsIpv6(w0, w1, w2, w3) : formatIpv4(w3 >>> 0));
    keys[k] = w0;
    keys[k | 1] = w1;
    keys[k | 2] = w2;
    keys[k | 3] = w3;
    this.#cacheCode[slot] = idx + 1;
    this.#counts[idx]! += weight;
  }

  /** Country → packets for the tick, then starts the next tick. */
  take(): Record<string, number> {
    if (this.#pendingMisses > 0) this.#counts[this.#intern(UNKNOWN)]! += this.#pendingMisses;
    const r: Record<string, number> = {};
    for (let i = 0; i < this.#codes.length; i++) if (this.#counts[i]! > 0) r[this.#codes[i]!] = this.#counts[i]!;
    this.#counts = this.#counts.map(() => 0);
    this.#lookups = 0;
    this.#pendingMisses = 0;
    return r;
  }

  /** Country index for the address: the lookup's answer, checked (once per distinct answer). */
  #lookup(ip: string): number {
    let c: unknown;
    try {
      c = this.#geo(ip);
    } catch {
      return this.#intern(UNKNOWN);
    }
    if (typeof c !== 'string') return this.#intern(UNKNOWN);
    const known = this.#answers.get(c);
    if (known !== undefined) return known;
    // Only well-formed codes become keys: the lookup's data is not ours to trust either.
    const up = c.toUpperCase();
    const idx = this.#intern(/^[A-Z]{2}$/.test(up) ? up : UNKNOWN);
    if (this.#answers.size < MAX_ANSWERS) this.#answers.set(c, idx);
    return idx;
  }

  #intern(code: string): number {
    let i = this.#codeIndex.get(code);
    if (i === undefined) {
      i = this.#codes.length;
      this.#codes.push(code);
      this.#codeIndex.set(code, i);
      this.#counts.push(0);
    }
    return i;
  }
}
