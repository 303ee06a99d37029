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
    // Up to a quarter earlier, at random: entries cached together (every agent after a restart)
    // would otherwise all expire in the same instant and be loaded again in one burst. Earlier
    // is always safe: the TTL bounds how stale an entry may be.
    this.#map.set(key, { v, exp: now + this.#ttlMs - Math.floor(Math.random() * (this.#ttlMs / 4)) });
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
