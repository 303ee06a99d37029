// Space-Saving (Metwally et al.) over 128-bit address keys: at most `capacity` counters
// whatever the number of sources, so a spoofed random-source flood cannot grow memory.
// Any source with more than total/capacity packets is guaranteed to be kept; a reported
// count overestimates by at most its `error`.
//
// Counters are kept in the paper's Stream-Summary: buckets of equal count in a list
// ordered by count, so an increment moves a counter to the neighbouring bucket and the
// smallest counter is the head of the first bucket. Every step is O(1). (A min-heap
// costs a log(capacity) sift per packet under a random-source flood, where every packet
// evicts the minimum: that was the aggregator's largest cost.) Keys are found through a
// chained hash table. Everything lives in typed arrays: no allocation per packet.
//
// Under a random-source flood nearly every packet evicts, touching the evicted counter,
// its bucket and its neighbours; so each counter is one 64-byte record (key, hash, chain,
// bucket links, error, bytes) and each bucket one 32-byte record, rather than a dozen
// parallel arrays that put every field of one counter on a different cache line. A
// chain (not linear probing) lets an evicted key leave its table slot in a step or two.
import type { HeavyHitter } from '@breakwater/contracts';
import { formatKey } from './address-key.ts';

const NONE = -1;

// Counter record: 16 int32 (64 bytes); error and bytes are its float64 words 6 and 7.
const SLOT_INTS = 16;
const S_W0 = 0;
const S_W1 = 1;
const S_W2 = 2;
const S_W3 = 3;
const S_HASH = 4;
/** Next counter in the same table chain. */
const S_CHAIN = 5;
const S_BUCKET = 6;
/** Neighbours in the bucket's list. */
const S_NEXT = 7;
const S_PREV = 8;
const SLOT_FLOATS = 8;
const SF_ERROR = 6;
const SF_BYTES = 7;
// Bucket record: 8 int32 (32 bytes); its count is float64 word 2.
const BUCKET_INTS = 8;
const B_HEAD = 0;
const B_NEXT = 1;
const B_PREV = 2;
const BUCKET_FLOATS = 4;
const BF_COUNT = 2;

export class SpaceSaving {
  readonly capacity: number;
  /** Counter records, as int32 and as float64 over the same memory. */
  readonly #slots: Int32Array;
  readonly #slotF: Float64Array;
  /** Bucket records (ascending count order through B_NEXT), and a free stack of them. */
  readonly #buckets: Int32Array;
  readonly #bucketF: Float64Array;
  readonly #freeBuckets: Int32Array;
  #freeTop = 0;
  /** Bucket of the smallest count (NONE when empty). */
  #min = NONE;
  /** Chain heads: slot + 1 (0 = empty). */
  readonly #table: Int32Array;
  readonly #mask: number;
  #size = 0;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) throw new RangeError('SpaceSaving capacity must be 1..2^20');
    this.capacity = capacity;
    const slots = new ArrayBuffer(capacity * SLOT_INTS * 4);
    this.#slots = new Int32Array(slots);
    this.#slotF = new Float64Array(slots);
    // A bucket holds at least one counter, so `capacity` buckets always suffice.
    const buckets = new ArrayBuffer(capacity * BUCKET_INTS * 4);
    this.#buckets = new Int32Array(buckets);
    this.#bucketF = new Float64Array(buckets);
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
    const s = this.#slots;
    const table = this.#table;
    // Int32 views: compare signed words.
    w0 |= 0;
    w1 |= 0;
    w2 |= 0;
    w3 |= 0;
    hash |= 0;
    const home = hash & this.#mask;
    for (let e = table[home]! - 1; e !== NONE; ) {
      const r = e * SLOT_INTS;
      if (s[r + S_HASH] === hash && s[r + S_W3] === w3 && s[r + S_W0] === w0 && s[r + S_W1] === w1 && s[r + S_W2] === w2) {
        this.#slotF[e * SLOT_FLOATS + SF_BYTES]! += bytes;
        this.#increment(e);
        return;
      }
      e = s[r + S_CHAIN]!;
    }
    const f = this.#slotF;
    let slot: number;
    if (this.#size < this.capacity) {
      slot = this.#size++;
      f[slot * SLOT_FLOATS + SF_ERROR] = 0;
      f[slot * SLOT_FLOATS + SF_BYTES] = bytes;
      this.#insertCountOne(slot);
    } else {
      // Evict a smallest counter; the newcomer inherits its count as possible error.
      const min = this.#min;
      slot = this.#buckets[min * BUCKET_INTS + B_HEAD]!;
      f[slot * SLOT_FLOATS + SF_ERROR] = this.#bucketF[min * BUCKET_FLOATS + BF_COUNT]!;
      f[slot * SLOT_FLOATS + SF_BYTES]! += bytes;
      this.#unindex(slot);
      this.#increment(slot);
    }
    const r = slot * SLOT_INTS;
    s[r + S_W0] = w0;
    s[r + S_W1] = w1;
    s[r + S_W2] = w2;
    s[r + S_W3] = w3;
    s[r + S_HASH] = hash;
    s[r + S_CHAIN] = table[home]! - 1;
    table[home] = slot + 1;
  }

  /** The `n` largest counters, addresses formatted (this allocates; once per tick). */
  top(n: number): (HeavyHitter<string> & { error: number })[] {
    // Walk buckets from the largest count down; within a bucket, by slot for a stable order.
    if (n <= 0 || this.#size === 0) return [];
    const bk = this.#buckets;
    const s = this.#slots;
    const f = this.#slotF;
    let b = this.#min;
    while (bk[b * BUCKET_INTS + B_NEXT] !== NONE) b = bk[b * BUCKET_INTS + B_NEXT]!;
    const out: (HeavyHitter<string> & { error: number })[] = [];
    for (; b !== NONE && out.length < n; b = bk[b * BUCKET_INTS + B_PREV]!) {
      const slots: number[] = [];
      for (let x = bk[b * BUCKET_INTS + B_HEAD]!; x !== NONE; x = s[x * SLOT_INTS + S_NEXT]!) slots.push(x);
      slots.sort((x, y) => x - y);
      for (const x of slots) {
        if (out.length === n) break;
        const r = x * SLOT_INTS;
        out.push({
          key: formatKey(s[r + S_W0]! >>> 0, s[r + S_W1]! >>> 0, s[r + S_W2]! >>> 0, s[r + S_W3]! >>> 0),
          packets: this.#bucketF[b * BUCKET_FLOATS + BF_COUNT]!,
          bytes: f[x * SLOT_FLOATS + SF_BYTES]!,
          error: f[x * SLOT_FLOATS + SF_ERROR]!,
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
    const bk = this.#buckets;
    if (min !== NONE && this.#bucketF[min * BUCKET_FLOATS + BF_COUNT] === 1) {
      this.#attach(slot, min);
      return;
    }
    const b = this.#freeBuckets[--this.#freeTop]!;
    this.#bucketF[b * BUCKET_FLOATS + BF_COUNT] = 1;
    bk[b * BUCKET_INTS + B_HEAD] = NONE;
    bk[b * BUCKET_INTS + B_PREV] = NONE;
    bk[b * BUCKET_INTS + B_NEXT] = min;
    if (min !== NONE) bk[min * BUCKET_INTS + B_PREV] = b;
    this.#min = b;
    this.#attach(slot, b);
  }

  /** Adds one to the slot's count: O(1), it moves at most one bucket up. */
  #increment(slot: number): void {
    const s = this.#slots;
    const bk = this.#buckets;
    const bf = this.#bucketF;
    const b = s[slot * SLOT_INTS + S_BUCKET]!;
    const c = bf[b * BUCKET_FLOATS + BF_COUNT]! + 1;
    const next = bk[b * BUCKET_INTS + B_NEXT]!;
    if (next !== NONE && bf[next * BUCKET_FLOATS + BF_COUNT] === c) {
      this.#detach(slot, b);
      this.#attach(slot, next);
      return;
    }
    if (bk[b * BUCKET_INTS + B_HEAD] === slot && s[slot * SLOT_INTS + S_NEXT] === NONE) {
      // Alone in its bucket and no bucket for c yet: the bucket itself moves up.
      bf[b * BUCKET_FLOATS + BF_COUNT] = c;
      return;
    }
    const nb = this.#freeBuckets[--this.#freeTop]!;
    bf[nb * BUCKET_FLOATS + BF_COUNT] = c;
    bk[nb * BUCKET_INTS + B_HEAD] = NONE;
    bk[nb * BUCKET_INTS + B_PREV] = b;
    bk[nb * BUCKET_INTS + B_NEXT] = next;
    bk[b * BUCKET_INTS + B_NEXT] = nb;
    if (next !== NONE) bk[next * BUCKET_INTS + B_PREV] = nb;
    this.#detach(slot, b);
    this.#attach(slot, nb);
  }

  #attach(slot: number, b: number): void {
    const s = this.#slots;
    const bk = this.#buckets;
    const head = bk[b * BUCKET_INTS + B_HEAD]!;
    const r = slot * SLOT_INTS;
    s[r + S_BUCKET] = b;
    s[r + S_PREV] = NONE;
    s[r + S_NEXT] = head;
    if (head !== NONE) s[head * SLOT_INTS + S_PREV] = slot;
    bk[b * BUCKET_INTS + B_HEAD] = slot;
  }

  /** Takes the slot out of bucket `b`, freeing the bucket when it empties. */
  #detach(slot: number, b: number): void {
    const s = this.#slots;
    const bk = this.#buckets;
    const r = slot * SLOT_INTS;
    const prev = s[r + S_PREV]!;
    const next = s[r + S_NEXT]!;
    if (prev !== NONE) s[prev * SLOT_INTS + S_NEXT] = next;
    else bk[b * BUCKET_INTS + B_HEAD] = next;
    if (next !== NONE) s[next * SLOT_INTS + S_PREV] = prev;
    if (bk[b * BUCKET_INTS + B_HEAD] !== NONE) return;
    const bp = bk[b * BUCKET_INTS + B_PREV]!;
    const bn = bk[b * BUCKET_INTS + B_NEXT]!;
    if (bp !== NONE) bk[bp * BUCKET_INTS + B_NEXT] = bn;
    else this.#min = bn;
    if (bn !== NONE) bk[bn * BUCKET_INTS + B_PREV] = bp;
    this.#freeBuckets[this.#freeTop++] = b;
  }

  /** Unlinks the slot's key from its table chain. */
  #unindex(slot: number): void {
    const s = this.#slots;
    const table = this.#table;
    const r = slot * SLOT_INTS;
    const home = s[r + S_HASH]! & this.#mask;
    let e = table[home]! - 1;
    if (e === slot) {
      table[home] = s[r + S_CHAIN]! + 1;
      return;
    }
    for (;;) {
      const next = s[e * SLOT_INTS + S_CHAIN]!;
      if (next === slot) {
        s[e * SLOT_INTS + S_CHAIN] = s[r + S_CHAIN]!;
        return;
      }
      e = next;
    }
  }
}
