// A fixed-capacity ring of samples with a cached percentile. Sorting a few thousand samples is
// cheap, but not on every 100 ms tick, so the cached value is reused until `staleAfter` new
// samples arrived; a percentile that lags ten seconds is irrelevant next to hours of history.
export interface PercentileRing {
  add(value: number): void;
  percentile(p: number): number;
  mean(): number;
  size(): number;
  values(): number[];
}

export function createPercentileRing(capacity: number, staleAfter = 10): PercentileRing {
  const buf = new Float64Array(capacity);
  let next = 0;
  let filled = 0;
  let sum = 0;
  let cache: { p: number; value: number; at: number } | undefined;
  let added = 0;

  return {
    add(value) {
      if (filled === capacity) sum -= buf[next] ?? 0;
      else filled++;
      buf[next] = value;
      sum += value;
      next = (next + 1) % capacity;
      added++;
    },
    percentile(p) {
      if (filled === 0) return 0;
      if (cache && cache.p === p && added - cache.at < staleAfter) return cache.value;
      const sorted = buf.slice(0, filled).sort();
      // Nearest rank: the smallest sample with at least p% of samples at or below it.
      const rank = Math.min(filled, Math.max(1, Math.ceil((p / 100) * filled)));
      const value = sorted[rank - 1] ?? 0;
      cache = { p, value, at: added };
      return value;
    },
    mean: () => (filled === 0 ? 0 : Math.max(0, sum / filled)),
    size: () => filled,
    values: () => {
      const out: number[] = [];
      for (let i = 0; i < filled; i++) out.push(buf[(next - filled + i + capacity) % capacity] ?? 0);
      return out;
    },
  };
}
