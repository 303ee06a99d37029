// Counts per key in at most `capacity` entries. When the map is full, the lighter half is dropped
// at once (one sort per capacity/2 new keys, so a flood of random keys costs O(log n) per key), and
// a key that arrives afterwards starts from the heaviest count dropped, as in Space-Saving: heavy
// hitters keep their counts (over-estimated by at most that floor), and random URIs or user agents
// cannot grow memory.
import type { HttpKeyCount } from '@breakwater/contracts';

export class BoundedCounter {
  readonly #cap: number;
  readonly #m = new Map<string, number>();
  #floor = 0;

  constructor(capacity: number) {
    this.#cap = Math.max(2, capacity);
  }

  add(key: string, n = 1): void {
    const cur = this.#m.get(key);
    if (cur !== undefined) {
      this.#m.set(key, cur + n);
      return;
    }
    if (this.#m.size >= this.#cap) this.#halve();
    this.#m.set(key, this.#floor + n);
  }

  get size(): number {
    return this.#m.size;
  }

  top(n: number): HttpKeyCount[] {
    return [...this.#m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([key, count]) => ({ key, count }));
  }

  clear(): void {
    this.#m.clear();
    this.#floor = 0;
  }

  #halve(): void {
    const sorted = [...this.#m.entries()].sort((a, b) => a[1] - b[1]);
    const drop = sorted.length - Math.floor(this.#cap / 2);
    for (let i = 0; i < drop; i++) {
      this.#m.delete(sorted[i]![0]);
      this.#floor = Math.max(this.#floor, sorted[i]![1]);
    }
  }
}

/** Remembers the last `capacity` keys by a 32-bit hash (FIFO): "seen before?" in bounded memory. */
export class RecentSet {
  readonly #ring: Int32Array;
  readonly #set = new Set<number>();
  #next = 0;

  constructor(capacity: number) {
    this.#ring = new Int32Array(Math.max(1, capacity));
  }

  /** True when the key was not among the recent ones (it is remembered now). */
  addIfNew(key: string): boolean {
    const h = fnv1a(key);
    if (this.#set.has(h)) return false;
    if (this.#set.size >= this.#ring.length) this.#set.delete(this.#ring[this.#next]!);
    this.#ring[this.#next] = h;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#set.add(h);
    return true;
  }
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
