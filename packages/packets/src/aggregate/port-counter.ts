// Exact per-port packets and bytes: 65536 slots is bounded memory already, and exact
// beats any sketch. Only blocks of ports touched this tick are scanned and cleared.
import type { HeavyHitter } from '@breakwater/contracts';

/** Ports per block: one block's counts are 1 KiB. */
const BLOCK_BITS = 6;
const BLOCKS = 65536 >> BLOCK_BITS;

export class PortCounter {
  /** Packets at [2 × port], bytes at [2 × port + 1]: one cache line per packet, not two
   * (a random-port flood touches every port, and the table is far larger than L1). */
  readonly #counts = new Float64Array(65536 * 2);
  /** 1 for each block holding a port counted since the last reset. Marked on every add,
   * unconditionally: a list of new ports needs an "is it new?" branch, and under a
   * random-port flood that branch is a coin toss, mispredicted half the time, each miss
   * discarding the table reads already under way (it cost a third of the counting). */
  readonly #dirty = new Uint8Array(BLOCKS);

  add(port: number, bytes: number): void {
    const c = this.#counts;
    const i = port << 1;
    c[i]! += 1;
    c[i | 1]! += bytes;
    this.#dirty[port >>> BLOCK_BITS] = 1;
  }

  /** Ports counted since the last reset. */
  get distinct(): number {
    return countPorts(this.#counts, this.#dirty);
  }

  /** The `n` busiest ports by packets (ties: lower port first). */
  top(n: number): HeavyHitter<number>[] {
    if (n <= 0) return [];
    const best = new Int32Array(n);
    const len = selectTop(this.#counts, this.#dirty, best);
    const c = this.#counts;
    const out: HeavyHitter<number>[] = [];
    for (let j = 0; j < len; j++) {
      const key = best[j]!;
      out.push({ key, packets: c[key << 1]!, bytes: c[(key << 1) | 1]! });
    }
    return out;
  }

  reset(): void {
    clearDirty(this.#counts, this.#dirty);
  }
}

// The once-per-tick loops are plain functions over typed arrays: run ten times a second
// over up to 65536 ports, they are optimised mid-loop (OSR), and as methods touching
// private fields they were deoptimised again on every tick.

/** Insertion into a short sorted list (a full sort of 65536 ports each tick is waste); returns its length. */
function selectTop(c: Float64Array, dirty: Uint8Array, best: Int32Array): number {
  const n = best.length;
  let len = 0;
  let worst = -1;
  for (let blk = 0; blk < BLOCKS; blk++) {
    if (dirty[blk] === 0) continue;
    const end = (blk + 1) << BLOCK_BITS;
    for (let port = blk << BLOCK_BITS; port < end; port++) {
      const k = c[port << 1]!;
      if (k === 0) continue;
      if (len === n && (k < worst || !before(k, port, c[best[n - 1]! << 1]!, best[n - 1]!))) continue;
      let j = len < n ? len++ : n - 1;
      while (j > 0 && before(k, port, c[best[j - 1]! << 1]!, best[j - 1]!)) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = port;
      if (len === n) worst = c[best[n - 1]! << 1]!;
    }
  }
  return len;
}

function countPorts(c: Float64Array, dirty: Uint8Array): number {
  let n = 0;
  for (let blk = 0; blk < BLOCKS; blk++) {
    if (dirty[blk] === 0) continue;
    const end = (blk + 1) << BLOCK_BITS;
    for (let port = blk << BLOCK_BITS; port < end; port++) if (c[port << 1] !== 0) n++;
  }
  return n;
}

function clearDirty(c: Float64Array, dirty: Uint8Array): void {
  for (let blk = 0; blk < BLOCKS; blk++) {
    if (dirty[blk] === 0) continue;
    c.fill(0, blk << (BLOCK_BITS + 1), (blk + 1) << (BLOCK_BITS + 1));
    dirty[blk] = 0;
  }
}

function before(countA: number, portA: number, countB: number, portB: number): boolean {
  return countA > countB || (countA === countB && portA < portB);
}
