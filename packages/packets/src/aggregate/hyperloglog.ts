// Distinct-source estimate per tick. 2^12 registers: ~1.6 % standard error, 4 KiB, and a
// reset is one fill. Small counts use linear counting, which is near exact. The harmonic sum and
// the count of empty registers are kept as registers rise (rarely, once warm), so the estimate
// read every tick is O(1) instead of a pass over every register.

export class HyperLogLog {
  readonly #p: number;
  readonly #m: number;
  readonly #reg: Uint8Array;
  /** Σ 2^-register, and the registers still 0. */
  #sum: number;
  #zeros: number;

  constructor(precision = 12) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) throw new RangeError('HyperLogLog precision must be 4..16');
    this.#p = precision;
    this.#m = 1 << precision;
    this.#reg = new Uint8Array(this.#m);
    this.#sum = this.#m;
    this.#zeros = this.#m;
  }

  /** Adds a 32-bit hash (uniformly distributed: see hashKey). */
  add(hash: number): void {
    const idx = hash >>> (32 - this.#p);
    const rank = Math.clz32((hash << this.#p) | (1 << (this.#p - 1))) + 1;
    const old = this.#reg[idx]!;
    if (rank <= old) return;
    this.#reg[idx] = rank;
    this.#sum += POW2_NEG[rank]! - POW2_NEG[old]!;
    if (old === 0) this.#zeros--;
  }

  estimate(): number {
    const m = this.#m;
    const zeros = this.#zeros;
    // Exact, not an approximation that drifts: every term is a power of two from 2^-33 to 1 and the
    // sum is at most 2^16, 49 bits apart, within a double's 53.
    const sum = this.#sum;
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }

  reset(): void {
    this.#reg.fill(0);
    this.#sum = this.#m;
    this.#zeros = this.#m;
  }
}

const POW2_NEG = Float64Array.from({ length: 34 }, (_, r) => 2 ** -r);
