// Exact per-port packets and bytes: 65536 slots is bounded memory already, and exact
// beats any sketch. Only ports touched this tick are scanned and cleared.
import type { HeavyHitter } from '@breakwater/contracts';

export class PortCounter {
  readonly #packets = new Float64Array(65536);
  readonly #bytes = new Float64Array(65536);
  readonly #touched = new Uint16Array(65536);
  #n = 0;

  add(port: number, bytes: number): void {
    if (this.#packets[port] === 0) this.#touched[this.#n++] = port;
    this.#packets[port]! += 1;
    this.#bytes[port]! += bytes;
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
    const pk = this.#packets;
    for (let i = 0; i < this.#n; i++) {
      const port = this.#touched[i]!;
      const c = pk[port]!;
      if (best.length === n && !before(c, port, pk[best[n - 1]!]!, best[n - 1]!)) continue;
      let j = best.length < n ? best.length : n - 1;
      while (j > 0 && before(c, port, pk[best[j - 1]!]!, best[j - 1]!)) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = port;
    }
    return best.map((key) => ({ key, packets: pk[key]!, bytes: this.#bytes[key]! }));
  }

  reset(): void {
    for (let i = 0; i < this.#n; i++) {
      const p = this.#touched[i]!;
      this.#packets[p] = 0;
      this.#bytes[p] = 0;
    }
    this.#n = 0;
  }
}

function before(countA: number, portA: number, countB: number, portB: number): boolean {
  return countA > countB || (countA === countB && portA < portB);
}
