// What the mitigation forms add to the shared schema form (components/schema-form.tsx), without
// changing it: a key with a default is not asked of the operator (the server fills it in), a subset
// of an object's keys, and numeric ranges ("53, 1024-65535") for FlowSpec's port and length lists.
import type { ObjectSchema, PropSchema } from '../../components/schema-form.tsx';

interface Shape {
  properties?: Record<string, unknown>;
  required?: string[];
}

/** The form's view of an object schema: only `keys` (or all but `omit`), keys with a default optional, `patch` laid over props. */
export function formSchema(schema: unknown, o: { keys?: string[]; omit?: string[]; patch?: Record<string, Partial<PropSchema>> } = {}): ObjectSchema {
  const s = (schema ?? {}) as Shape;
  const props: Record<string, PropSchema> = {};
  for (const [key, p] of Object.entries(s.properties ?? {})) {
    if (o.keys && !o.keys.includes(key)) continue;
    if (o.omit?.includes(key)) continue;
    props[key] = { ...(p as PropSchema), ...o.patch?.[key] };
  }
  const keys = o.keys ? o.keys.filter((k) => k in props) : Object.keys(props);
  const ordered = Object.fromEntries(keys.map((k) => [k, props[k]!]));
  return { properties: ordered, required: (s.required ?? []).filter((k) => k in ordered && ordered[k]!.default === undefined) };
}

/** A sub-object's schema (e.g. geo_lockdown inside the policy, match inside a rule). */
export const propOf = (schema: unknown, key: string): unknown => ((schema ?? {}) as Shape).properties?.[key];

/** True for a list of {from, to} ranges. */
export function isRangeList(p: unknown): boolean {
  const items = (p as { items?: Shape } | undefined)?.items;
  return !!items?.properties && 'from' in items.properties && 'to' in items.properties;
}

/** "53, 1024-65535" → [{from:53,to:53},{from:1024,to:65535}]; what does not read as one is sent as given, for the API to name. */
export function parseRanges(text: string): unknown {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  return parts.map((p) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    return m ? { from: Number(m[1]), to: Number(m[2] ?? m[1]) } : p;
  });
}

export function rangesText(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return v.map((r: { from?: number; to?: number }) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(', ');
}

/**
 * The API's message split by the key each problem names: schema errors say "thresholds.0.pps: …",
 * the policy's cross-field checks "thresholds[0].adapter_id: …" and join several with "; ".
 */
export function problemsByKey(err: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!(err instanceof Error) || !('status' in err)) return out;
  for (const part of err.message.split('; ')) {
    const m = /^([A-Za-z_]\w*(?:\.\w+|\[\d+\])*)(?=: |$)/.exec(part);
    if (m) out.set(m[1]!.replace(/\[(\d+)\]/g, '.$1'), part);
  }
  return out;
}

/** The problem at `key` or inside it (thresholds.0 claims thresholds.0.pps only when asked for thresholds.0). */
export function problemAt(problems: Map<string, string>, key: string): string | null {
  for (const [k, msg] of problems) if (k === key || k.startsWith(`${key}.`)) return msg;
  return null;
}

/** What no field of `keys` claims, shown at the top of the form. */
export function unclaimed(err: unknown, problems: Map<string, string>, claimed: (key: string) => boolean): string | null {
  if (!err) return null;
  if (problems.size === 0) return err instanceof Error ? err.message : 'Something went wrong';
  const rest = [...problems].filter(([k]) => !claimed(k)).map(([, m]) => m);
  return rest.length > 0 ? rest.join('; ') : null;
}
