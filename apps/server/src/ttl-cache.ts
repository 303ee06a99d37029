/** A small bounded map whose entries expire; used so hot paths skip repeated lookups. */
export class TtlCache<V> {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #map = new Map<string, { v: V; exp: number }>();
  constructor(ttlMs: number, max: number) {
    this.#ttlMs = ttlMs;
    this.#max = max;
  }
  get(key: string, now: number): V | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    if (e.exp <= now) {
      this.#map.delete(key);
      return undefined;
    }
    return e.v;
  }
  set(key: string, v: V, now: number): void {
    if (this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
    this.#map.set(key, { v, exp: now + this.#ttlMs });
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
  deleteWhere(pred: (v: V) => boolean): void {
    for (const [k, e] of this.#map) if (pred(e.v)) this.#map.delete(k);
  }
  clear(): void {
    this.#map.clear();
  }
}
