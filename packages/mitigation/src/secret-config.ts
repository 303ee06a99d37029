// Which parts of an adapter's config are secrets: custom header values (webhook `headers`, which
// usually carry a token) and keys named like credentials. They leave the server masked for every
// role, as channels' do; a config sent back with a mask keeps the stored secret.

const SECRETISH = /pass(word)?|secret|token|api[_-]?key|private|credential|signature|cookie/i;
/** Keys whose value is a map of names to secret values (names stay readable). */
const SECRET_MAPS = new Set(['headers']);

/** A mask as the API shows it: "****" or "****" and the last four characters. */
export const isMask = (v: unknown): boolean => typeof v === 'string' && /^\*{4}.{0,4}$/.test(v);

/** Last four characters only, so an operator can tell two apart; short values not at all. */
export function maskValue(v: unknown): unknown {
  if (typeof v === 'string') return v.length <= 8 ? '****' : `****${v.slice(-4)}`;
  if (v && typeof v === 'object') return '****';
  return v;
}

export function maskAdapterConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_MAPS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([name, value]) => [name, maskValue(value)]));
    } else {
      out[k] = SECRETISH.test(k) ? maskValue(v) : v;
    }
  }
  return out;
}

/** `next` with every masked secret replaced by the stored one (header names matched regardless of case). */
export function keepMaskedSecrets(stored: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...next };
  for (const [k, v] of Object.entries(next)) {
    if (SECRET_MAPS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      const old = (stored[k] && typeof stored[k] === 'object' ? stored[k] : {}) as Record<string, unknown>;
      const byLower = new Map(Object.entries(old).map(([n, val]) => [n.toLowerCase(), val]));
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([name, value]) => [name, isMask(value) && byLower.has(name.toLowerCase()) ? byLower.get(name.toLowerCase()) : value]));
    } else if (SECRETISH.test(k) && isMask(v) && k in stored) {
      out[k] = stored[k];
    }
  }
  return out;
}
