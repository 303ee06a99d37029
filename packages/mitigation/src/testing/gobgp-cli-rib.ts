// Reads `gobgp -j global rib [-a family]` (the second, GoBGP, upstream peer) into ruleKeys, with
// each path's communities and FlowSpec action. The CLI's JSON is untrusted: anything unexpected
// is skipped, nothing throws.
import type { FlowspecAction, FlowspecMatch } from '@breakwater/contracts';
import { ruleKey } from '../rule-key.ts';
import { FRAGMENT_BITS, TCP_FLAG_BITS, itemsToRanges, namesOf } from '../adapters/bgp-common/flowspec-ops.ts';
import { tryPrefix } from '../adapters/rule-prefix.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function flowMatch(parts: unknown): FlowspecMatch | null {
  if (!Array.isArray(parts)) return null;
  const m: Partial<FlowspecMatch> = {};
  for (const p of parts) {
    if (!isObj(p)) return null;
    const t = p.type;
    if (t === 1 || t === 2) {
      const pre = isObj(p.value) && typeof p.value.prefix === 'string' ? tryPrefix(p.value.prefix) : null;
      if (!pre) return null;
      if (t === 1) m.destination = pre.text; else m.source = pre.text;
      continue;
    }
    if (!Array.isArray(p.value)) return null;
    const items = p.value.filter(isObj).map((i) => ({ op: Number(i.op), value: Number(i.value) }));
    if (items.some((i) => !Number.isFinite(i.op) || !Number.isFinite(i.value))) return null;
    const bits = items.reduce((a, i) => a | i.value, 0);
    switch (t) {
      case 3: { const r = itemsToRanges(items, 255); if (!r || r.some((x) => x.from !== x.to)) return null; m.protocols = r.map((x) => x.from); break; }
      case 5: { const r = itemsToRanges(items); if (!r) return null; m.destination_ports = r; break; }
      case 6: { const r = itemsToRanges(items); if (!r) return null; m.source_ports = r; break; }
      case 10: { const r = itemsToRanges(items); if (!r) return null; m.packet_length = r; break; }
      case 9: m.tcp_flags = namesOf(bits, TCP_FLAG_BITS); break;
      case 12: m.fragment = namesOf(bits, FRAGMENT_BITS); break;
      default: return null;
    }
  }
  return m.destination ? (m as FlowspecMatch) : null;
}

export interface GobgpCliPath {
  key: string;
  /** Standard communities as "asn:value". */
  communities: string[];
  /** The FlowSpec traffic-rate action (discard or a rate limit) from the extended communities; null when there is none. */
  flowAction: FlowspecAction | null;
}

function communitiesOf(attrs: Obj[]): string[] {
  const out: string[] = [];
  for (const a of attrs) {
    if (a.type !== 8 || !Array.isArray(a.communities)) continue;
    for (const c of a.communities) if (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 0xffffffff) out.push(`${c >>> 16}:${c & 0xffff}`);
  }
  return out;
}

function flowActionOf(attrs: Obj[]): FlowspecAction | null {
  for (const a of attrs) {
    if (a.type !== 16 || !Array.isArray(a.value)) continue;
    for (const e of a.value) {
      if (!isObj(e) || e.type !== 128) continue;
      if (e.subtype === 6 && typeof e.rate === 'number') return e.rate === 0 ? { type: 'discard' } : { type: 'rate-limit', bytes_per_second: Math.round(e.rate) };
    }
  }
  return null;
}

export function gobgpCliRibPaths(json: string): GobgpCliPath[] {
  const out: GobgpCliPath[] = [];
  let doc: unknown;
  try { doc = JSON.parse(json); } catch { return out; }
  if (!isObj(doc)) return out;
  for (const paths of Object.values(doc)) {
    if (!Array.isArray(paths)) continue;
    for (const path of paths) {
      if (!isObj(path) || !isObj(path.nlri)) continue;
      const nlri = path.nlri;
      const attrs = Array.isArray(path.attrs) ? path.attrs.filter(isObj) : [];
      let key: string | null = null;
      if (typeof nlri.prefix === 'string') {
        const p = tryPrefix(nlri.prefix);
        if (p) key = ruleKey({ kind: 'blackhole', prefix: p.text, next_hop: null, communities: [] });
      } else {
        const match = flowMatch(nlri.value);
        if (match) key = ruleKey({ kind: 'flowspec', match, action: { type: 'discard' } });
      }
      if (key) out.push({ key, communities: communitiesOf(attrs), flowAction: flowActionOf(attrs) });
    }
  }
  return out;
}

export function gobgpCliRibKeys(json: string): Set<string> {
  return new Set(gobgpCliRibPaths(json).map((p) => p.key));
}
