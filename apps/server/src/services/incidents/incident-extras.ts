// Fields an agent sends beyond the known ones are kept (tolerant reader), within bounds:
// an incident updated every few seconds must not grow without limit.
//  - a value whose JSON is over EXTRA_VALUE_MAX bytes is kept as {"_omitted": "too large", "bytes": N};
//  - updates merge key by key, the last writer wins;
//  - the merged object stays under EXTRA_TOTAL_MAX bytes: the keys of the newest update are
//    kept first, then the older ones in order, and the keys that do not fit are dropped
//    (their count is kept in `_dropped_keys`).

export const EXTRA_VALUE_MAX = 16 * 1024;
export const EXTRA_TOTAL_MAX = 64 * 1024;
const DROPPED = '_dropped_keys';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? 'null');

export function mergeExtras(old: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const fresh: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(update)) {
    if (k === DROPPED) continue;
    const n = bytes(v);
    fresh[k] = n > EXTRA_VALUE_MAX ? { _omitted: 'too large', bytes: n } : v;
  }
  const out: Record<string, unknown> = {};
  let size = 2 + 40; // braces, and room for the dropped count
  let dropped = typeof old[DROPPED] === 'number' ? old[DROPPED] : 0;
  const entries = [...Object.entries(fresh), ...Object.entries(old).filter(([k]) => k !== DROPPED && !(k in fresh))];
  for (const [k, v] of entries) {
    const n = bytes(k) + 1 + bytes(v) + 1;
    if (size + n > EXTRA_TOTAL_MAX || k.length > 200) {
      dropped++;
      continue;
    }
    out[k] = v;
    size += n;
  }
  if (dropped > 0) out[DROPPED] = dropped;
  return out;
}
