// Collects the keys asked for during one turn of the event loop and loads them with one
// query. After a server restart every agent's first request misses the key cache at
// once; one lookup each would queue thousands of queries behind the ingest writer.
export class BatchLoader<V> {
  readonly #load: (keys: string[]) => Promise<Map<string, V>>;
  readonly #max: number;
  #pending = new Map<string, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  #scheduled = false;

  constructor(load: (keys: string[]) => Promise<Map<string, V>>, maxBatch = 500) {
    this.#load = load;
    this.#max = maxBatch;
  }

  get(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.#pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.#pending.set(key, [{ resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#run());
      }
    });
  }

  async #run(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.#max) {
      const slice = keys.slice(i, i + this.#max);
      try {
        const found = await this.#load(slice);
        for (const k of slice) for (const w of batch.get(k)!) w.resolve(found.get(k));
      } catch (err) {
        for (const k of slice) for (const w of batch.get(k)!) w.reject(err);
      }
    }
  }
}
