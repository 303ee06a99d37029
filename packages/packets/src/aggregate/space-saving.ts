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
// Records live in one buffer and refer to each other by their offset in it, and fields
// are reached as `offset | field`: in optimised code that is one indexed load, where a
// typed array per field cost its own checks and `slot * stride + field` its overflow
// checks on every access.
import type { HeavyHitter } from '@breakwater/contracts';
import { formatKey } from './address-key.ts';

const NONE = -1;

// Counter record: 16 int32 at a multiple of 16; error and bytes are the float64 words
// (offset >> 1) | 6 and | 7.
const SLOT_INTS = 16;
const S_W0 = 0;
const S_W1 = 1;
const S_W2 = 2;
const S_W3 = 3;
const S_HASH = 4;
/** Next counter (offset) in the same table chain. */
const S_CHAIN = 5;
/** Its bucket's offset. */
const S_BUCKET = 6;
/** Neighbours (offsets) in the bucket's list. */
const S_NEXT = 7;
const S_PREV = 8;
const SF_ERROR = 6;
const SF_BYTES = 7;
// Bucket record: 8 int32 at a multiple of 8; its count is float64 word (offset >> 1) | 2.
const BUCKET_INTS = 8;
const B_HEAD = 0;
const B_NEXT = 1;
const B_PREV = 2;
const BF_COUNT = 2;

export class SpaceSaving {
  readonly capacity: number;
  /** Counter records, then bucket records, then the free-bucket stack; as int32 and float64. */
  readonly #m: Int32Array;
  readonly #f: Float64Array;
  /** Where the free-bucket stack starts in #m. */
  readonly #freeBase: number;
  #freeTop = 0;
  /** Bucket of the smallest count (NONE when empty). */
  #min = NONE;
  /** Chain heads: counter offsets, NONE when empty. */
  readonly #table: Int32Array;
  readonly #mask: number;
  #size = 0;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) throw new RangeError('SpaceSaving capacity must be 1..2^20');
    this.capacity = capacity;
    // A bucket holds at least one counter, so `capacity` buckets always suffice.
    this.#freeBase = capacity * (SLOT_INTS + BUCKET_INTS);
    const buffer = new ArrayBuffer((this.#freeBase + capacity) * 4);
    this.#m = new Int32Array(buffer);
    this.#f = new Float64Array(buffer, 0, this.#freeBase >> 1);
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
    const m = this.#m;
    const table = this.#table;
    // Int32 views: compare signed words.
    w0 |= 0;
    w1 |= 0;
    w2 |= 0;
    w3 |= 0;
    hash |= 0;
    const home = hash & this.#mask;
    for (let s = table[home]!; s !== NONE; s = m[s | S_CHAIN]!) {
      if (m[s | S_HASH] === hash && m[s | S_W3] === w3 && m[s | S_W0] === w0 && m[s | S_W1] === w1 && m[s | S_W2] === w2) {
        this.#f[(s >> 1) | SF_BYTES]! += bytes;
        this.#increment(s);
        return;
      }
    }
    const f = this.#f;
    let s: number;
    if (this.#size < this.capacity) {
      s = this.#size++ * SLOT_INTS;
      f[(s >> 1) | SF_ERROR] = 0;
      f[(s >> 1) | SF_BYTES] = bytes;
      this.#insertCountOne(s);
    } else {
      // Evict a smallest counter; the newcomer inherits its count as possible error.
      const min = this.#min;
      s = m[min | B_HEAD]!;
      f[(s >> 1) | SF_ERROR] = f[(min >> 1) | BF_COUNT]!;
      f[(s >> 1) | SF_BYTES]! += bytes;
      this.#unindex(s);
      this.#increment(s);
    }
    m[s | S_W0] = w0;
    m[s | S_W1] = w1;
    m[s | S_W2] = w2;
    m[s | S_W3] = w3;
    m[s | S_HASH] = hash;
    m[s | S_CHAIN] = table[home]!;
    table[home] = s;
  }

  /** The `n` largest counters, addresses formatted (this allocates; once per tick). */
  top(n: number): (HeavyHitter<string> & { error: number })[] {
    // Walk buckets from the largest count down; within a bucket, by slot for a stable order.
    if (n <= 0 || this.#size === 0) return [];
    const m = this.#m;
    const f = this.#f;
    let b = this.#min;
    while (m[b | B_NEXT] !== NONE) b = m[b | B_NEXT]!;
    const out: (HeavyHitter<string> & { error: number })[] = [];
    for (; b !== NONE && out.length < n; b = m[b | B_PREV]!) {
      const slots: number[] = [];
      for (let s = m[b | B_HEAD]!; s !== NONE; s = m[s | S_NEXT]!) slots.push(s);
      slots.sort((x, y) => x - y);
      for (const s of slots) {
        if (out.length === n) break;
        out.push({
          key: formatKey(m[s | S_W0]! >>> 0, m[s | S_W1]! >>> 0, m[s | S_W2]! >>> 0, m[s | S_W3]! >>> 0),
          packets: f[(b >> 1) | BF_COUNT]!,
          bytes: f[(s >> 1) | SF_BYTES]!,
          error: f[(s >> 1) | SF_ERROR]!,
        });
      }
    }
    return out;
  }

  reset(): void {
    this.#size = 0;
    this.#min = NONE;
    this.#table.fill(NONE);
    const m = this.#m;
    const base = this.#freeBase;
    const first = this.capacity * SLOT_INTS;
    // Popped from the top: the first bucket record is used first.
    for (let i = 0; i < this.capacity; i++) m[base + i] = first + (this.capacity - 1 - i) * BUCKET_INTS;
    this.#freeTop = this.capacity;
  }

  #newBucket(count: number, prev: number, next: number): number {
    const m = this.#m;
    const b = m[this.#freeBase + --this.#freeTop]!;
    this.#f[(b >> 1) | BF_COUNT] = count;
    m[b | B_HEAD] = NONE;
    m[b | B_PREV] = prev;
    m[b | B_NEXT] = next;
    return b;
  }

  /** A new counter at count 1: joins the first bucket or becomes it. */
  #insertCountOne(s: number): void {
    const min = this.#min;
    if (min !== NONE && this.#f[(min >> 1) | BF_COUNT] === 1) {
      this.#attach(s, min);
      return;
    }
    const b = this.#newBucket(1, NONE, min);
    if (min !== NONE) this.#m[min | B_PREV] = b;
    this.#min = b;
    this.#attach(s, b);
  }

  /** Adds one to the counter's count: O(1), it moves at most one bucket up. */
  #increment(s: number): void {
    const m = this.#m;
    const f = this.#f;
    const b = m[s | S_BUCKET]!;
    const c = f[(b >> 1) | BF_COUNT]! + 1;
    const next = m[b | B_NEXT]!;
    if (next !== NONE && f[(next >> 1) | BF_COUNT] === c) {
      this.#detach(s, b);
      this.#attach(s, next);
      return;
    }
    if (m[b | B_HEAD] === s && m[s | S_NEXT] === NONE) {
      // Alone in its bucket and no bucket for c yet: the bucket itself moves up.
      f[(b >> 1) | BF_COUNT] = c;
      return;
    }
    const nb = this.#newBucket(c, b, next);
    m[b | B_NEXT] = nb;
    if (next !== NONE) m[next | B_PREV] = nb;
    this.#detach(s, b);
    this.#attach(s, nb);
  }

  #attach(s: number, b: number): void {
    const m = this.#m;
    const head = m[b | B_HEAD]!;
    m[s | S_BUCKET] = b;
    m[s | S_PREV] = NONE;
    m[s | S_NEXT] = head;
    if (head !== NONE) m[head | S_PREV] = s;
    m[b | B_HEAD] = s;
  }

  /** Takes the counter out of bucket `b`, freeing the bucket when it empties. */
  #detach(s: number, b: number): void {
    const m = this.#m;
    const prev = m[s | S_PREV]!;
    const next = m[s | S_NEXT]!;
    if (prev !== NONE) m[prev | S_NEXT] = next;
    else m[b | B_HEAD] = next;
    if (next !== NONE) m[next | S_PREV] = prev;
    if (m[b | B_HEAD] !== NONE) return;
    const bp = m[b | B_PREV]!;
    const bn = m[b | B_NEXT]!;
    if (bp !== NONE) m[bp | B_NEXT] = bn;
    else this.#min = bn;
    if (bn !== NONE) m[bn | B_PREV] = bp;
    m[this.#freeBase + this.#freeTop++] = b;
  }

  /** Unlinks the counter's key from its table chain. */
  #unindex(s: number): void {
    const m = this.#m;
    const table = this.#table;
    const home = m[s | S_HASH]! & this.#mask;
    let e = table[home]!;
    if (e === s) {
      table[home] = m[s | S_CHAIN]!;
      return;
    }
    for (;;) {
      const next = m[e | S_CHAIN]!;
      if (next === s) {
        m[e | S_CHAIN] = m[s | S_CHAIN]!;
        return;
      }
      e = next;
    }
  }
}
