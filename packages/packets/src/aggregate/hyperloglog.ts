// Distinct-source estimate per tick. 2^12 registers: ~1.6 % standard error, 4 KiB, and a
// reset is one fill. Small counts use linear counting, which is near exact.
import { validateConfig } from '@breakwater/contracts';
import { Type } from 'typebox';

/** The sketch's options: checked once, when it is built. */
export const HyperLogLogOptionsSchema = Type.Object({
  precision: Type.Integer({ minimum: 4, maximum: 16, default: 12, description: 'log2 of the register count.' }),
});

export class HyperLogLog {
  readonly #p: number;
  readonly #m: number;
  readonly #reg: Uint8Array;

  constructor(precision?: number) {
    this.#p = validateConfig(HyperLogLogOptionsSchema, { precision }, { label: 'HyperLogLog ' }).precision;
    this.#m = 1 << this.#p;
    this.#reg = new Uint8Array(this.#m);
  }

  /** Adds a 32-bit hash (uniformly distributed: see hashKey). */
  add(hash: number): void {
    const idx = hash >>> (32 - this.#p);
    const rank = Math.clz32((hash << this.#p) | (1 << (this.#p - 1))) + 1;
    if (rank > this.#reg[idx]!) this.#reg[idx] = rank;
  }

  estimate(): number {
    const m = this.#m;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.#reg[i]!;
      sum += POW2_NEG[r]!;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }

  reset(): void {
    this.#reg.fill(0);
  }
}

const POW2_NEG = Float64Array.from({ length: 34 }, (_, r) => 2 ** -r);
