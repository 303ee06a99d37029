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
    // Insertion into a short sorted list: a random-port flood touches every port, and a
    // full sort of 65536 entries ten times a second is wasted work.
    const best: number[] = [];
    if (n <= 0) return [];
    const c = this.#counts;
    let worst = -1;
    for (let i = 0; i < this.#n; i++) {
      const port = this.#touched[i]!;
      const k = c[port << 1]!;
      if (best.length === n && k < worst) continue;
      if (best.length === n && !before(k, port, c[best[n - 1]! << 1]!, best[n - 1]!)) continue;
      let j = best.length < n ? best.length : n - 1;
      while (j > 0 && before(k, port, c[best[j - 1]! << 1]!, best[j - 1]!)) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = port;
      if (best.length === n) worst = c[best[n - 1]! << 1]!;
    }
    return best.map((key) => ({ key, packets: c[key << 1]!, bytes: c[(key << 1) + 1]! }));
  }

  reset(): void {
    const c = this.#counts;
    for (let i = 0; i < this.#n; i++) {
      const p = this.#touched[i]! << 1;
      c[p] = 0;
      c[p + 1] = 0;
    }
    this.#n = 0;
  }
}

function before(countA: number, portA: number, countB: number, portB: number): boolean {
  return countA > countB || (countA === countB && portA < portB);
}
