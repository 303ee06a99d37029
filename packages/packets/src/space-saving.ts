// Space-Saving (Metwally et al.) over 128-bit address keys: at most `capacity` counters
// whatever the number of sources, so a spoofed random-source flood cannot grow memory.
// Any source with more than total/capacity packets is guaranteed to be kept; a reported
// count overestimates by at most its `error`. Counters live in typed arrays, indexed by
// an open-addressing table and ordered by a min-heap: no allocation per packet.
import type { HeavyHitter } from '@breakwater/contracts';
import { formatKey } from './address-key.ts';

export class SpaceSaving {
  readonly capacity: number;
  readonly #keys: Uint32Array;
  readonly #counts: Float64Array;
  readonly #errors: Float64Array;
  readonly #bytes: Float64Array;
  /** Each slot's key hash, so deletion need not rehash the keys it shifts. */
  readonly #hashes: Uint32Array;
  /** Min-heap of slots by count, and each slot's position in it. */
  readonly #heap: Int32Array;
  readonly #heapPos: Int32Array;
  /** Linear-probing table of slot + 1 (0 = empty). */
  readonly #table: Int32Array;
  readonly #mask: number;
  #size = 0;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 20) throw new RangeError('SpaceSaving capacity must be 1..2^20');
    this.capacity = capacity;
    this.#keys = new Uint32Array(capacity * 4);
    this.#counts = new Float64Array(capacity);
    this.#errors = new Float64Array(capacity);
    this.#bytes = new Float64Array(capacity);
    this.#hashes = new Uint32Array(capacity);
    this.#heap = new Int32Array(capacity);
    this.#heapPos = new Int32Array(capacity);
    let t = 4;
    while (t < capacity * 4) t *= 2;
    this.#table = new Int32Array(t);
    this.#mask = t - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Counts one packet of `bytes` for the key; `hash` is hashKey() of the same words. */
  add(w0: number, w1: number, w2: number, w3: number, hash: number, bytes: number): void {
    const keys = this.#keys;
    const table = this.#table;
    const mask = this.#mask;
    let i = hash & mask;
    for (;;) {
      const e = table[i]!;
      if (e === 0) break;
      const k = (e - 1) * 4;
      if (keys[k] === w0 >>> 0 && keys[k + 1] === w1 >>> 0 && keys[k + 2] === w2 >>> 0 && keys[k + 3] === w3 >>> 0) {
        this.#counts[e - 1]! += 1;
        this.#bytes[e - 1]! += bytes;
        this.#siftDown(this.#heapPos[e - 1]!);
        return;
      }
      i = (i + 1) & mask;
    }
    let slot: number;
    let base = 0;
    let err = 0;
    let inherited = 0;
    if (this.#size < this.capacity) {
      slot = this.#size;
      this.#heap[slot] = slot;
      this.#heapPos[slot] = slot;
      this.#size++;
    } else {
      // Evict the smallest counter; the newcomer inherits its count as possible error.
      slot = this.#heap[0]!;
      base = this.#counts[slot]!;
      err = base;
      inherited = this.#bytes[slot]!;
      this.#remove(slot);
      i = hash & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
    }
    table[i] = slot + 1;
    this.#hashes[slot] = hash;
    const k = slot * 4;
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    this.#counts[slot] = base + 1;
    this.#errors[slot] = err;
    this.#bytes[slot] = inherited + bytes;
    this.#siftUp(this.#heapPos[slot]!);
    this.#siftDown(this.#heapPos[slot]!);
  }

  /** The `n` largest counters, addresses formatted (this allocates; once per tick). */
  top(n: number): (HeavyHitter<string> & { error: number })[] {
    // Selection into a short sorted list: cheaper than sorting every counter each tick.
    const best: number[] = [];
    const counts = this.#counts;
    if (n <= 0) return [];
    for (let s = 0; s < this.#size; s++) {
      const c = counts[s]!;
      if (best.length === n && c <= counts[best[n - 1]!]!) continue;
      let j = best.length < n ? best.length : n - 1;
      while (j > 0 && c > counts[best[j - 1]!]!) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = s;
    }
    return best.map((s) => ({
      key: formatKey(this.#keys[s * 4]!, this.#keys[s * 4 + 1]!, this.#keys[s * 4 + 2]!, this.#keys[s * 4 + 3]!),
      packets: counts[s]!,
      bytes: this.#bytes[s]!,
      error: this.#errors[s]!,
    }));
  }

  reset(): void {
    this.#size = 0;
    this.#table.fill(0);
  }

  /** Deletes the slot's key from the table (backward-shift, so probes stay unbroken). */
  #remove(slot: number): void {
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

  #siftDown(pos: number): void {
    const heap = this.#heap;
    const counts = this.#counts;
    const n = this.#size;
    const slot = heap[pos]!;
    const c = counts[slot]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      if (child + 1 < n && counts[heap[child + 1]!]! < counts[heap[child]!]!) child++;
      if (counts[heap[child]!]! >= c) break;
      heap[pos] = heap[child]!;
      this.#heapPos[heap[pos]!] = pos;
      pos = child;
    }
    heap[pos] = slot;
    this.#heapPos[slot] = pos;
  }

  #siftUp(pos: number): void {
    const heap = this.#heap;
    const counts = this.#counts;
    const slot = heap[pos]!;
    const c = counts[slot]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (counts[heap[parent]!]! <= c) break;
      heap[pos] = heap[parent]!;
      this.#heapPos[heap[pos]!] = pos;
      pos = parent;
    }
    heap[pos] = slot;
    this.#heapPos[slot] = pos;
  }
}

