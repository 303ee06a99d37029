// Space-Saving (Metwally et al.) over 128-bit address keys: at most `capacity` counters
// whatever the number of sources, so a spoofed random-source flood cannot grow memory.
// Any source with more than total/capacity packets is guaranteed to be kept; a reported
// count overestimates by at most its `error`.
//
// Counters are kept in the paper's Stream-Summary: buckets of equal count in a list
// ordered by count, so an increment moves a counter to the neighbouring bucket and the
// smallest counter is the head of the first bucket. Every step is O(1). (A min-heap
// costs a log(capacity) sift per packet under a random-source flood, where every packet
// evicts the minimum: that was the aggregator's largest cost.) Keys are found through an
// open-addressing table. Everything lives in typed arrays: no allocation per packet.
import type { HeavyHitter } from '@breakwater/contracts';
import { formatKey } from './address-key.ts';

const NONE = -1;

export class SpaceSaving {
  readonly capacity: number;
  readonly #keys: Uint32Array;
  readonly #errors: Float64Array;
  readonly #bytes: Float64Array;
  /** Each slot's key hash, so deletion need not rehash the keys it shifts. */
  readonly #hashes: Uint32Array;
  /** Each slot's bucket, and its neighbours in that bucket's list. */
  readonly #slotBucket: Int32Array;
  readonly #slotNext: Int32Array;
  readonly #slotPrev: Int32Array;
  /** Buckets: count, first slot, neighbours in ascending count order, and a free stack. */
  readonly #bucketCount: Float64Array;
  readonly #bucketHead: Int32Array;
  readonly #bucketNext: Int32Array;
  readonly #bucketPrev: Int32Array;
  readonly #freeBuckets: Int32Array;
  #freeTop = 0;
  /** Bucket of the smallest count (NONE when empty). */
  #min = NONE;
  /** Linear-probing table of slot + 1 (0 = empty). */
  readonly #table: Int32Array;
  readonly #mask: number;
  #size = 0;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) throw new RangeError('SpaceSaving capacity must be 1..2^20');
    this.capacity = capacity;
    this.#keys = new Uint32Array(capacity * 4);
    this.#errors = new Float64Array(capacity);
    this.#bytes = new Float64Array(capacity);
    this.#hashes = new Uint32Array(capacity);
    this.#slotBucket = new Int32Array(capacity);
    this.#slotNext = new Int32Array(capacity);
    this.#slotPrev = new Int32Array(capacity);
    // A bucket holds at least one counter, so `capacity` buckets always suffice.
    this.#bucketCount = new Float64Array(capacity);
    this.#bucketHead = new Int32Array(capacity);
    this.#bucketNext = new Int32Array(capacity);
    this.#bucketPrev = new Int32Array(capacity);
    this.#freeBuckets = new Int32Array(capacity);
    let t = 4;
    while (t < capacity * 4) t *= 2;
    this.#table = new Int32Array(t);
    this.#mask = t - 1;
    this.reset();
  }

  get size(): number {
    return this.#size;
  }

  /** Counts one packet of `bytes` for the key; `hash` is hashKey() of the same words. */
  add(w0: number, w1: number, w2: number, w3: number, hash: number, bytes: number): void {
    const keys = this.#keys;
    const table = this.#table;
    const mask = this.#mask;
    w0 >>>= 0;
    w1 >>>= 0;
    w2 >>>= 0;
    w3 >>>= 0;
    let i = hash & mask;
    for (;;) {
      const e = table[i]!;
      if (e === 0) break;
      const k = (e - 1) * 4;
      if (keys[k + 3] === w3 && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2) {
        this.#bytes[e - 1]! += bytes;
        this.#increment(e - 1);
        return;
      }
      i = (i + 1) & mask;
    }
    let slot: number;
    if (this.#size < this.capacity) {
      slot = this.#size++;
      this.#errors[slot] = 0;
      this.#bytes[slot] = bytes;
      this.#insertCountOne(slot);
    } else {
      // Evict a smallest counter; the newcomer inherits its count as possible error.
      const min = this.#min;
      slot = this.#bucketHead[min]!;
      this.#errors[slot] = this.#bucketCount[min]!;
      this.#bytes[slot]! += bytes;
      this.#unindex(slot);
      i = hash & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      this.#increment(slot);
    }
    table[i] = slot + 1;
    this.#hashes[slot] = hash;
    const k = slot * 4;
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
  }

  /** The `n` largest counters, addresses formatted (this allocates; once per tick). */
  top(n: number): (HeavyHitter<string> & { error: number })[] {
    // Walk buckets from the largest count down; within a bucket, by slot for a stable order.
    if (n <= 0 || this.#size === 0) return [];
    let b = this.#min;
    while (this.#bucketNext[b] !== NONE) b = this.#bucketNext[b]!;
    const out: (HeavyHitter<string> & { error: number })[] = [];
    const keys = this.#keys;
    for (; b !== NONE && out.length < n; b = this.#bucketPrev[b]!) {
      const slots: number[] = [];
      for (let s = this.#bucketHead[b]!; s !== NONE; s = this.#slotNext[s]!) slots.push(s);
      slots.sort((x, y) => x - y);
      for (const s of slots) {
        if (out.length === n) break;
        out.push({
          key: formatKey(keys[s * 4]!, keys[s * 4 + 1]!, keys[s * 4 + 2]!, keys[s * 4 + 3]!),
          packets: this.#bucketCount[b]!,
          bytes: this.#bytes[s]!,
          error: this.#errors[s]!,
        });
      }
    }
    return out;
  }

  reset(): void {
    this.#size = 0;
    this.#min = NONE;
    this.#table.fill(0);
    const free = this.#freeBuckets;
    for (let i = 0; i < free.length; i++) free[i] = free.length - 1 - i;
    this.#freeTop = free.length;
  }

  /** A new counter at count 1: joins the first bucket or becomes it. */
  #insertCountOne(slot: number): void {
    const min = this.#min;
    if (min !== NONE && this.#bucketCount[min] === 1) {
      this.#attach(slot, min);
      return;
    }
    const b = this.#freeBuckets[--this.#freeTop]!;
    this.#bucketCount[b] = 1;
    this.#bucketHead[b] = NONE;
    this.#bucketPrev[b] = NONE;
    this.#bucketNext[b] = min;
    if (min !== NONE) this.#bucketPrev[min] = b;
    this.#min = b;
    this.#attach(slot, b);
  }

  /** Adds one to the slot's count: O(1), it moves at most one bucket up. */
  #increment(slot: number): void {
    const b = this.#slotBucket[slot]!;
    const c = this.#bucketCount[b]! + 1;
    const next = this.#bucketNext[b]!;
    if (next !== NONE && this.#bucketCount[next] === c) {
      this.#detach(slot, b);
      this.#attach(slot, next);
      return;
    }
    if (this.#bucketHead[b] === slot && this.#slotNext[slot] === NONE) {
      // Alone in its bucket and no bucket for c yet: the bucket itself moves up.
      this.#bucketCount[b] = c;
      return;
    }
    const nb = this.#freeBuckets[--this.#freeTop]!;
    this.#bucketCount[nb] = c;
    this.#bucketHead[nb] = NONE;
    this.#bucketPrev[nb] = b;
    this.#bucketNext[nb] = next;
    this.#bucketNext[b] = nb;
    if (next !== NONE) this.#bucketPrev[next] = nb;
    this.#detach(slot, b);
    this.#attach(slot, nb);
  }

  #attach(slot: number, b: number): void {
    const head = this.#bucketHead[b]!;
    this.#slotBucket[slot] = b;
    this.#slotPrev[slot] = NONE;
    this.#slotNext[slot] = head;
    if (head !== NONE) this.#slotPrev[head] = slot;
    this.#bucketHead[b] = slot;
  }

  /** Takes the slot out of bucket `b`, freeing the bucket when it empties. */
  #detach(slot: number, b: number): void {
    const prev = this.#slotPrev[slot]!;
    const next = this.#slotNext[slot]!;
    if (prev !== NONE) this.#slotNext[prev] = next;
    else this.#bucketHead[b] = next;
    if (next !== NONE) this.#slotPrev[next] = prev;
    if (this.#bucketHead[b] !== NONE) return;
    const bp = this.#bucketPrev[b]!;
    const bn = this.#bucketNext[b]!;
    if (bp !== NONE) this.#bucketNext[bp] = bn;
    else this.#min = bn;
    if (bn !== NONE) this.#bucketPrev[bn] = bp;
    this.#freeBuckets[this.#freeTop++] = b;
  }

  /** Deletes the slot's key from the table (backward-shift, so probes stay unbroken). */
  #unindex(slot: number): void {
    const table = this.#table;
    const mask = this.#mask;
    const hashes = this.#hashes;
    let i = hashes[slot]! & mask;
    while (table[i] !== slot + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = table[j]!;
      if (e === 0) break;
      const home = hashes[e - 1]! & mask;
      // Move e back into the hole unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        table[i] = e;
        i = j;
      }
    }
    table[i] = 0;
  }
}
