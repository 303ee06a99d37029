// Exact per-port packets and bytes: 65536 slots is bounded memory already, and exact
// beats any sketch. Only ports touched this tick are scanned and cleared.
import type { HeavyHitter } from '@breakwater/contracts';

export class PortCounter {
  /** Packets at [2 × port], bytes at [2 × port + 1]: one cache line per packet, not two
   * (a random-port flood touches every port, and the table is far larger than L1). */
  readonly #counts = new Float64Array(65536 * 2);
  readonly #touched = new Uint16Array(65536);
  #n = 0;

  add(port: number, bytes: number): void {
    const c = this.#counts;
    const i = port << 1;
    const packets = c[i]!;
    if (packets === 0) this.#touched[this.#n++] = port;
    c[i] = packets + 1;
    c[i + 1]! += bytes;
  }

  get distinct(): number {
    return this.#n;
  }

  /** The `n` busiest ports by packets (ties: lower port first). */
  top(n: number): HeavyHitter<number>[] {
    if (n <= 0) return [];
    const best = new Int32Array(Math.min(n, this.#n));
    const len = selectTop(this.#counts, this.#touched, this.#n, best);
    const c = this.#counts;
    const out: HeavyHitter<number>[] = [];
    for (let j = 0; j < len; j++) {
      const key = best[j]!;
      out.push({ key, packets: c[key << 1]!, bytes: c[(key << 1) + 1]! });
    }
    return out;
  }

  reset(): void {
    clearTouched(this.#counts, this.#touched, this.#n);
    this.#n = 0;
  }
}

// The once-per-tick loops are plain functions over typed arrays: run ten times a second
// over up to 65536 ports, they are optimised mid-loop (OSR), and as methods touching
// private fields they were deoptimised again on every tick.

/** Insertion into a short sorted list (a full sort of 65536 ports each tick is waste); returns its length. */
function selectTop(c: Float64Array, touched: Uint16Array, count: number, best: Int32Array): number {
  const n = best.length;
  let len = 0;
  let worst = -1;
  for (let i = 0; i < count; i++) {
    const port = touched[i]!;
    const k = c[port << 1]!;
    if (len === n && (k < worst || !before(k, port, c[best[n - 1]! << 1]!, best[n - 1]!))) continue;
    let j = len < n ? len++ : n - 1;
    while (j > 0 && before(k, port, c[best[j - 1]! << 1]!, best[j - 1]!)) {
      best[j] = best[j - 1]!;
      j--;
    }
    best[j] = port;
    if (len === n) worst = c[best[n - 1]! << 1]!;
  }
  return len;
}

function clearTouched(c: Float64Array, touched: Uint16Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const p = touched[i]! << 1;
    c[p] = 0;
    c[p + 1] = 0;
  }
}

function before(countA: number, portA: number, countB: number, portB: number): boolean {
  return countA > countB || (countA === countB && portA < portB);
}
