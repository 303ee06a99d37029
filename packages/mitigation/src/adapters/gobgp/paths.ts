// Rule specs ⇄ GoBGP API paths. Encoding is strict (bad input is an AdapterError before any
// call); decoding of what GoBGP lists is lenient: a path we cannot read becomes null, never a throw.
import type { FlowspecAction, FlowspecMatch, RuleSpec } from '@breakwater/contracts';
import { AdapterError } from '../../adapter.ts';
import { requirePrefix, tryPrefix } from '../rule-prefix.ts';
import {
  BIT_MATCH, FRAGMENT_BITS, OP_END, OP_EQ, TCP_FLAG_BITS, bitsOf, itemsToRanges, namesOf, rangesToItems, type OpItem,
} from '../bgp-common/flowspec-ops.ts';
import { AFI_IP, AFI_IP6, SAFI_FLOWSPEC, SAFI_UNICAST, pack, unpack, type AnyMsg } from './schema.ts';

/** RFC 8955 component types. */
const T = { dst: 1, src: 2, proto: 3, dport: 5, sport: 6, flags: 9, len: 10, frag: 12 } as const;

export interface ApiPath { nlri: AnyMsg; pattrs: AnyMsg[]; family: { afi: number; safi: number } }

/** Next hops used when a blackhole names none (0.0.0.0 / :: = gobgpd's own address, next-hop self). */
export interface PathSettings { nextHopV4: string; nextHopV6: string }

const communityToU32 = (c: string) => {
  const [a, b] = c.split(':').map(Number);
  return ((a! << 16) >>> 0) + b!;
};
const u32ToCommunity = (n: number) => `${n >>> 16}:${n & 0xffff}`;

function flowRules(match: FlowspecMatch): { family: 4 | 6; rules: AnyMsg[] } {
  const dst = requirePrefix(match.destination, 'match.destination');
  const rules: AnyMsg[] = [pack('FlowSpecIPPrefix', { type: T.dst, prefix_len: dst.len, prefix: dst.addr })];
  if (match.source) {
    const src = requirePrefix(match.source, 'match.source');
    if (src.family !== dst.family) throw new AdapterError('match.source: must be the same address family as match.destination', false);
    rules.push(pack('FlowSpecIPPrefix', { type: T.src, prefix_len: src.len, prefix: src.addr }));
  }
  const comp = (t: number, items: OpItem[]) => rules.push(pack('FlowSpecComponent', { type: t, items }));
  if (match.protocols?.length) comp(T.proto, match.protocols.map((p, i, a) => ({ op: OP_EQ | (i === a.length - 1 ? OP_END : 0), value: p })));
  if (match.destination_ports?.length) comp(T.dport, rangesToItems(match.destination_ports));
  if (match.source_ports?.length) comp(T.sport, rangesToItems(match.source_ports));
  // All listed flags set: one match-bit item, (data & bits) == bits.
  if (match.tcp_flags?.length) comp(T.flags, [{ op: OP_END | BIT_MATCH, value: bitsOf(match.tcp_flags, TCP_FLAG_BITS) }]);
  if (match.packet_length?.length) comp(T.len, rangesToItems(match.packet_length));
  // Any listed fragment type: one match-bit item per type, OR-ed (as BIRD writes `a || b`).
  if (match.fragment?.length) {
    const bits = [...new Set(match.fragment)].map((f) => FRAGMENT_BITS[f]).sort((a, b) => a - b);
    comp(T.frag, bits.map((value, i) => ({ op: BIT_MATCH | (i === bits.length - 1 ? OP_END : 0), value })));
  }
  return { family: dst.family, rules };
}

function actionCommunity(a: FlowspecAction): AnyMsg {
  switch (a.type) {
    case 'discard': return pack('TrafficRateExtended', { asn: 0, rate: 0 });
    case 'rate-limit': return pack('TrafficRateExtended', { asn: 0, rate: a.bytes_per_second });
    case 'mark': return pack('TrafficRemarkExtended', { dscp: a.dscp });
    case 'redirect': {
      const [asn, local] = a.route_target.split(':').map(Number) as [number, number];
      if (asn <= 65535) return pack('RedirectTwoOctetAsSpecificExtended', { asn, local_admin: local });
      if (local > 65535) throw new AdapterError(`action.route_target: "${a.route_target}" — a 4-byte ASN allows a value up to 65535`, false);
      return pack('RedirectFourOctetAsSpecificExtended', { asn, local_admin: local });
    }
  }
}

export function specToPath(spec: RuleSpec, s: PathSettings): ApiPath {
  const origin = pack('OriginAttribute', { origin: 2 });
  if (spec.kind === 'blackhole') {
    const p = requirePrefix(spec.prefix);
    const nlri = pack('IPAddressPrefix', { prefix_len: p.len, prefix: p.addr });
    const communities = pack('CommunitiesAttribute', { communities: spec.communities.map(communityToU32) });
    const nh = spec.next_hop ?? (p.family === 4 ? s.nextHopV4 : s.nextHopV6);
    if (tryPrefix(`${nh}/0`)?.family !== p.family) throw new AdapterError(`next_hop: "${nh}" is not an IPv${p.family} address`, false);
    if (p.family === 4) {
      return { nlri, family: { afi: AFI_IP, safi: SAFI_UNICAST }, pattrs: [origin, pack('NextHopAttribute', { next_hop: nh }), communities] };
    }
    const family = { afi: AFI_IP6, safi: SAFI_UNICAST };
    return { nlri, family, pattrs: [origin, pack('MpReachNLRIAttribute', { family, next_hops: [nh], nlris: [nlri] }), communities] };
  }
  if (spec.kind === 'flowspec') {
    const { family: fam, rules } = flowRules(spec.match);
    const nlri = pack('FlowSpecNLRI', { rules });
    const family = { afi: fam === 4 ? AFI_IP : AFI_IP6, safi: SAFI_FLOWSPEC };
    return {
      nlri, family,
      pattrs: [origin, pack('MpReachNLRIAttribute', { family, next_hops: [], nlris: [nlri] }), pack('ExtendedCommunitiesAttribute', { communities: [actionCommunity(spec.action)] })],
    };
  }
  throw new AdapterError(`gobgp cannot carry a ${spec.kind} rule`, false);
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

function matchFromRules(rules: AnyMsg[]): FlowspecMatch | null {
  const m: Partial<FlowspecMatch> = {};
  for (const r of rules) {
    const { name, value } = unpack(r);
    if (!value) return null;
    const t = num(value.type);
    if (name === 'FlowSpecIPPrefix') {
      const p = tryPrefix(`${String(value.prefix)}/${num(value.prefix_len)}`);
      if (!p) return null;
      if (t === T.dst) m.destination = p.text; else if (t === T.src) m.source = p.text; else return null;
      continue;
    }
    if (name !== 'FlowSpecComponent') return null;
    const items = arr(value.items).map((i) => ({ op: num(i.op), value: num(i.value) }));
    const ranges = () => itemsToRanges(items);
    switch (t) {
      case T.proto: {
        const rs = itemsToRanges(items, 255);
        if (!rs || rs.some((x) => x.from !== x.to)) return null;
        m.protocols = rs.map((x) => x.from);
        break;
      }
      case T.dport: { const r = ranges(); if (!r) return null; m.destination_ports = r; break; }
      case T.sport: { const r = ranges(); if (!r) return null; m.source_ports = r; break; }
      case T.len: { const r = ranges(); if (!r) return null; m.packet_length = r; break; }
      case T.flags: m.tcp_flags = namesOf(items.reduce((a, i) => a | i.value, 0), TCP_FLAG_BITS); break;
      case T.frag: m.fragment = namesOf(items.reduce((a, i) => a | i.value, 0), FRAGMENT_BITS); break;
      default: return null;
    }
  }
  return m.destination ? (m as FlowspecMatch) : null;
}

function actionFrom(pattrs: AnyMsg[]): FlowspecAction | null {
  for (const a of pattrs) {
    const { name, value } = unpack(a);
    if (name !== 'ExtendedCommunitiesAttribute' || !value) continue;
    for (const c of arr(value.communities) as unknown as AnyMsg[]) {
      const x = unpack(c);
      if (!x.value) continue;
      if (x.name === 'TrafficRateExtended') {
        const rate = Math.round(num(x.value.rate));
        return rate === 0 ? { type: 'discard' } : { type: 'rate-limit', bytes_per_second: rate };
      }
      if (x.name === 'TrafficRemarkExtended') return { type: 'mark', dscp: num(x.value.dscp) };
      if (x.name.startsWith('Redirect') && x.name.includes('OctetAsSpecific')) return { type: 'redirect', route_target: `${num(x.value.asn)}:${num(x.value.local_admin)}` };
    }
  }
  return null;
}

/** Reads a listed path back into a rule spec; null when it is not one of ours to understand. */
export function pathToSpec(path: { nlri?: AnyMsg | null; pattrs?: AnyMsg[] | null }): RuleSpec | null {
  try {
    const { name, value } = unpack(path.nlri);
    if (!value) return null;
    const pattrs = path.pattrs ?? [];
    if (name === 'IPAddressPrefix') {
      const p = tryPrefix(`${String(value.prefix)}/${num(value.prefix_len)}`);
      if (!p) return null;
      let communities: string[] = [];
      let nextHop: string | null = null;
      for (const a of pattrs) {
        const x = unpack(a);
        if (x.name === 'CommunitiesAttribute' && x.value) communities = arr(x.value.communities).map((c) => u32ToCommunity(num(c)));
        if (x.name === 'NextHopAttribute' && x.value) nextHop = String(x.value.next_hop);
        if (x.name === 'MpReachNLRIAttribute' && x.value) nextHop = String((x.value.next_hops as string[] | undefined)?.[0] ?? '') || null;
      }
      return { kind: 'blackhole', prefix: p.text, next_hop: nextHop, communities };
    }
    if (name === 'FlowSpecNLRI') {
      const match = matchFromRules(arr(value.rules) as unknown as AnyMsg[]);
      const action = actionFrom(pattrs);
      return match && action ? { kind: 'flowspec', match, action } : null;
    }
    return null;
  } catch {
    return null;
  }
}
