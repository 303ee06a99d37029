// ExaBGP 4.2 API command text for our rules, and the reading of `show adj-rib out extensive`
// back into rules. Every value is checked before it becomes command text: ExaBGP reads one
// command per line and we never let a rule add a second one.
import type { FlowspecAction, FlowspecMatch, NumRange, RuleSpec } from '@breakwater/contracts';
import { FRAGMENT_NAMES, TCP_FLAG_NAMES } from '@breakwater/contracts';
import { AdapterError } from '../../adapter.ts';
import { isCommunity } from '../bgp-common/options.ts';
import { requirePrefix, tryPrefix } from '../rule-prefix.ts';

export interface CommandSettings { nextHopV4: string; nextHopV6: string }

const range = (r: NumRange) => {
  if (!Number.isInteger(r.from) || !Number.isInteger(r.to) || r.from < 0 || r.to > 65535 || r.from > r.to) throw new AdapterError(`range ${r.from}-${r.to}: must be 0-65535 with from <= to`, false);
  return r.from === r.to ? `=${r.from}` : `>=${r.from}&<=${r.to}`;
};
const list = (xs: string[]) => `[ ${xs.join(' ')} ]`;

export function flowMatchText(m: FlowspecMatch): string {
  const dst = requirePrefix(m.destination, 'match.destination');
  const parts = [`destination ${dst.text}`];
  if (m.source) {
    const src = requirePrefix(m.source, 'match.source');
    if (src.family !== dst.family) throw new AdapterError('match.source: must be the same address family as match.destination', false);
    parts.push(`source ${src.text}`);
  }
  if (m.protocols?.length) {
    if (m.protocols.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new AdapterError('match.protocols: each must be 0-255', false);
    parts.push(`${dst.family === 4 ? 'protocol' : 'next-header'} ${list(m.protocols.map((p) => `=${p}`))}`);
  }
  if (m.destination_ports?.length) parts.push(`destination-port ${list(m.destination_ports.map(range))}`);
  if (m.source_ports?.length) parts.push(`source-port ${list(m.source_ports.map(range))}`);
  if (m.tcp_flags?.length) {
    if (m.tcp_flags.some((f) => !TCP_FLAG_NAMES.includes(f))) throw new AdapterError(`match.tcp_flags: each must be one of ${TCP_FLAG_NAMES.join(', ')}`, false);
    // "a&b": all of them set (ExaBGP ANDs the flags).
    parts.push(`tcp-flags ${list([[...new Set(m.tcp_flags)].join('&')])}`);
  }
  if (m.packet_length?.length) parts.push(`packet-length ${list(m.packet_length.map(range))}`);
  if (m.fragment?.length) {
    if (m.fragment.some((f) => !FRAGMENT_NAMES.includes(f))) throw new AdapterError(`match.fragment: each must be one of ${FRAGMENT_NAMES.join(', ')}`, false);
    parts.push(`fragment ${list([...new Set(m.fragment)])}`);
  }
  return `match { ${parts.join('; ')}; }`;
}

export function flowThenText(a: FlowspecAction): string {
  switch (a.type) {
    case 'discard': return 'then { discard; }';
    case 'rate-limit':
      if (!Number.isInteger(a.bytes_per_second) || a.bytes_per_second < 1) throw new AdapterError('action.bytes_per_second: must be a positive integer', false);
      return `then { rate-limit ${a.bytes_per_second}; }`;
    case 'mark':
      if (!Number.isInteger(a.dscp) || a.dscp < 0 || a.dscp > 63) throw new AdapterError('action.dscp: must be 0-63', false);
      return `then { mark ${a.dscp}; }`;
    case 'redirect':
      if (!/^\d{1,10}:\d{1,10}$/.test(a.route_target)) throw new AdapterError(`action.route_target: "${a.route_target}" must be ASN:VALUE`, false);
      return `then { redirect ${a.route_target}; }`;
  }
}

/** The announce (or withdraw) command for a rule. */
export function ruleCommand(verb: 'announce' | 'withdraw', spec: RuleSpec, s: CommandSettings): string {
  if (spec.kind === 'blackhole') {
    const p = requirePrefix(spec.prefix);
    let nh = spec.next_hop ?? (p.family === 4 ? s.nextHopV4 : s.nextHopV6);
    if (nh !== 'self') {
      const n = tryPrefix(`${nh}/0`);
      if (!n || n.family !== p.family) throw new AdapterError(`next_hop: "${nh}" is not an IPv${p.family} address`, false);
      nh = n.addr;
    }
    if (verb === 'withdraw') return `withdraw route ${p.text} next-hop ${nh}`;
    for (const c of spec.communities) if (!isCommunity(c)) throw new AdapterError(`communities: "${c}" is not ASN:VALUE`, false);
    return `announce route ${p.text} next-hop ${nh}${spec.communities.length ? ` community ${list(spec.communities)}` : ''}`;
  }
  if (spec.kind === 'flowspec') return `${verb} flow route { ${flowMatchText(spec.match)} ${flowThenText(spec.action)} }`;
  throw new AdapterError(`exabgp cannot carry a ${spec.kind} rule`, false);
}

const PROTOCOLS: Record<string, number> = { icmp: 1, igmp: 2, ipip: 4, tcp: 6, egp: 8, igp: 9, udp: 17, rsvp: 46, gre: 47, esp: 50, ah: 51, ospf: 89, pim: 103, sctp: 132 };

function parseItems(text: string, max: number): NumRange[] | null {
  const out: NumRange[] = [];
  for (const item of text.replace(/^\[|\]$/g, '').trim().split(/\s+/)) {
    let from = 0;
    let to = max;
    for (const term of item.split('&')) {
      const t = /^(>=|<=|>|<|=)?([a-z0-9-]+)$/.exec(term);
      if (!t) return null;
      const v = /^\d+$/.test(t[2]!) ? Number(t[2]) : PROTOCOLS[t[2]!];
      if (v === undefined) return null;
      switch (t[1]) {
        case '>=': from = Math.max(from, v); break;
        case '>': from = Math.max(from, v + 1); break;
        case '<=': to = Math.min(to, v); break;
        case '<': to = Math.min(to, v - 1); break;
        default: from = Math.max(from, v); to = Math.min(to, v);
      }
    }
    if (from > to) return null;
    out.push({ from, to });
  }
  return out.length ? out : null;
}

/** ExaBGP's own text of a flow ("flow destination-ipv4 P protocol =udp destination-port [ =53 ] …"). */
export function parseExaFlow(text: string): FlowspecMatch | null {
  const m: Partial<FlowspecMatch> = {};
  const re = /(destination-ipv[46]|source-ipv[46]|protocol|next-header|destination-port|source-port|packet-length|tcp-flags|fragment|[a-z-]+)\s+(\[[^\]]*\]|\S+)/g;
  for (const x of text.replace(/^flow\s+/, '').matchAll(re)) {
    const [key, val] = [x[1]!, x[2]!];
    if (key === 'extended-community' || key === 'community' || key === 'next-hop' || key === 'origin') continue;
    if (key.startsWith('destination-ipv') || key.startsWith('source-ipv')) {
      // IPv6 flow prefixes carry an offset: "2001:db8::/48/0".
      const [addr, len] = val.split('/');
      const p = tryPrefix(`${addr}/${len}`);
      if (!p) return null;
      if (key.startsWith('destination')) m.destination = p.text; else m.source = p.text;
    } else if (key === 'protocol' || key === 'next-header') {
      const r = parseItems(val, 255);
      if (!r || r.some((y) => y.from !== y.to)) return null;
      m.protocols = r.map((y) => y.from);
    } else if (key === 'destination-port' || key === 'source-port' || key === 'packet-length') {
      const r = parseItems(val, 65535);
      if (!r) return null;
      if (key === 'destination-port') m.destination_ports = r; else if (key === 'source-port') m.source_ports = r; else m.packet_length = r;
    } else if (key === 'tcp-flags') {
      const flags = val.replace(/^\[|\]$/g, '').trim().split(/\s+/);
      if (flags.length !== 1) return null;
      const names = flags[0]!.split('&').map((f) => f.replace(/^=/, ''));
      if (names.some((n) => !(TCP_FLAG_NAMES as readonly string[]).includes(n))) return null;
      m.tcp_flags = names as FlowspecMatch['tcp_flags'];
    } else if (key === 'fragment') {
      const names = val.replace(/^\[|\]$/g, '').trim().split(/\s+/);
      if (names.some((n) => !(FRAGMENT_NAMES as readonly string[]).includes(n))) return null;
      m.fragment = names as FlowspecMatch['fragment'];
    } else return null;
  }
  return m.destination ? (m as FlowspecMatch) : null;
}

/** `show adj-rib out extensive` lines → rules (without their action: keys do not need it). */
export function parseAdjRibOut(lines: unknown): RuleSpec[] {
  if (!Array.isArray(lines)) return [];
  const out: RuleSpec[] = [];
  for (const line of lines) {
    if (typeof line !== 'string') continue;
    const u = / ipv[46] unicast (\S+)/.exec(line);
    if (u) {
      const p = tryPrefix(u[1]!);
      if (p) out.push({ kind: 'blackhole', prefix: p.text, next_hop: null, communities: [] });
      continue;
    }
    const f = / ipv[46] flow (flow .*?)(?: extended-community .*)?$/.exec(line);
    if (f) {
      const match = parseExaFlow(f[1]!);
      if (match) out.push({ kind: 'flowspec', match, action: { type: 'discard' } });
    }
  }
  return out;
}
