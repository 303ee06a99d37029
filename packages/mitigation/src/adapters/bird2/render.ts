// The file Breakwater owns inside the operator's BIRD config: static protocols holding the
// blackholes (with bgp_community) and FlowSpec routes (with the action's extended community).
// Everything written was parsed and checked first: no rule text reaches BIRD unchecked.
import type { FlowspecAction, FlowspecMatch, NumRange, RuleSpec } from '@breakwater/contracts';
import { AdapterError } from '../../adapter.ts';
import type { FRAGMENT_BITS} from '../bgp-common/flowspec-ops.ts';
import { TCP_FLAG_BITS, bitsOf } from '../bgp-common/flowspec-ops.ts';
import { isCommunity } from '../bgp-common/options.ts';
import { requirePrefix } from '../rule-prefix.ts';

export interface RenderSettings {
  protocolPrefix: string;
  tables: { ipv4: string; ipv6: string; flow4: string; flow6: string };
}

export const protocolNames = (prefix: string) => ({ bh4: `${prefix}_bh4`, bh6: `${prefix}_bh6`, fs4: `${prefix}_fs4`, fs6: `${prefix}_fs6` });

const STATE_MARK = '# breakwater-state: ';

const range = (r: NumRange) => {
  if (!Number.isInteger(r.from) || !Number.isInteger(r.to) || r.from < 0 || r.to > 65535 || r.from > r.to) throw new AdapterError(`range ${r.from}-${r.to}: must be 0-65535 with from <= to`, false);
  return r.from === r.to ? `${r.from}` : `${r.from}..${r.to}`;
};

const BIRD_FRAGMENT: Record<keyof typeof FRAGMENT_BITS, string> = { 'dont-fragment': 'dont_fragment', 'is-fragment': 'is_fragment', 'first-fragment': 'first_fragment', 'last-fragment': 'last_fragment' };

/** BIRD's flow4/flow6 literal for a match; also tells which family it is. */
export function flowLiteral(m: FlowspecMatch): { family: 4 | 6; text: string } {
  const dst = requirePrefix(m.destination, 'match.destination');
  const parts = [`dst ${dst.text}`];
  if (m.source) {
    const src = requirePrefix(m.source, 'match.source');
    if (src.family !== dst.family) throw new AdapterError('match.source: must be the same address family as match.destination', false);
    parts.push(`src ${src.text}`);
  }
  if (m.protocols?.length) {
    if (m.protocols.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new AdapterError('match.protocols: each must be 0-255', false);
    parts.push(`${dst.family === 4 ? 'proto' : 'next header'} ${m.protocols.join(', ')}`);
  }
  if (m.destination_ports?.length) parts.push(`dport ${m.destination_ports.map(range).join(', ')}`);
  if (m.source_ports?.length) parts.push(`sport ${m.source_ports.map(range).join(', ')}`);
  if (m.tcp_flags?.length) {
    const bits = bitsOf(m.tcp_flags, TCP_FLAG_BITS);
    parts.push(`tcp flags 0x${bits.toString(16)}/0x${bits.toString(16)}`);
  }
  if (m.packet_length?.length) parts.push(`length ${m.packet_length.map(range).join(', ')}`);
  if (m.fragment?.length) {
    const names = [...new Set(m.fragment)].map((f) => {
      const n = BIRD_FRAGMENT[f];
      if (!n) throw new AdapterError(`match.fragment: "${String(f)}" is not one of ${Object.keys(BIRD_FRAGMENT).join(', ')}`, false);
      return n;
    });
    parts.push(`fragment ${names.join(' || ')}`);
  }
  return { family: dst.family, text: `flow${dst.family} { ${parts.join('; ')}; }` };
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** The action as BIRD's generic extended community (RFC 8955 §7 types). */
export function actionCommunity(a: FlowspecAction): string {
  switch (a.type) {
    case 'discard': return '(generic, 0x80060000, 0x0)';
    case 'rate-limit': {
      const b = Buffer.alloc(4);
      b.writeFloatBE(a.bytes_per_second);
      return `(generic, 0x80060000, ${hex(b.readUInt32BE(0))})`;
    }
    case 'mark': return `(generic, 0x80090000, ${hex(a.dscp & 0x3f)})`;
    case 'redirect': {
      const m = /^(\d{1,10}):(\d{1,10})$/.exec(a.route_target);
      const asn = m ? Number(m[1]) : -1;
      const val = m ? Number(m[2]) : -1;
      if (asn >= 0 && asn <= 65535 && val <= 0xffffffff) return `(generic, ${hex(0x80080000 + asn)}, ${hex(val)})`;
      if (asn > 65535 && asn <= 0xffffffff && val >= 0 && val <= 65535) return `(generic, ${hex(0x82080000 + (asn >>> 16))}, ${hex(((asn & 0xffff) << 16) + val)})`;
      throw new AdapterError(`action.route_target: "${a.route_target}" must be ASN:VALUE`, false);
    }
  }
}

function blackholeRoute(spec: Extract<RuleSpec, { kind: 'blackhole' }>): { family: 4 | 6; text: string } {
  const p = requirePrefix(spec.prefix);
  for (const c of spec.communities) if (!isCommunity(c)) throw new AdapterError(`communities: "${c}" is not ASN:VALUE`, false);
  const attrs = spec.communities.map((c) => `bgp_community.add((${c.replace(':', ',')}));`);
  if (spec.next_hop) {
    const nh = requirePrefix(`${spec.next_hop}/${p.family === 4 ? 32 : 128}`, 'next_hop');
    if (nh.family !== p.family) throw new AdapterError(`next_hop: "${spec.next_hop}" is not an IPv${p.family} address`, false);
    attrs.push(`bgp_next_hop = ${nh.addr};`);
  }
  return { family: p.family, text: `  route ${p.text} blackhole { ${attrs.join(' ')} };` };
}

/** The whole managed file for these rules (sorted, so the same set always gives the same text). */
export function renderConfig(specs: RuleSpec[], s: RenderSettings): string {
  const n = protocolNames(s.protocolPrefix);
  const bh: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const fs: Record<4 | 6, string[]> = { 4: [], 6: [] };
  for (const spec of specs) {
    if (spec.kind === 'blackhole') { const r = blackholeRoute(spec); bh[r.family].push(r.text); }
    else if (spec.kind === 'flowspec') {
      const f = flowLiteral(spec.match);
      fs[f.family].push(`  route ${f.text} { bgp_ext_community.add(${actionCommunity(spec.action)}); };`);
    } else throw new AdapterError(`bird2 cannot carry a ${spec.kind} rule`, false);
  }
  const proto = (name: string, channel: string, routes: string[]) => `protocol static ${name} {\n  ${channel};\n${[...routes].sort().join('\n')}${routes.length ? '\n' : ''}}\n`;
  return [
    '# Managed by Breakwater: rewritten on every change, do not edit by hand.',
    `${STATE_MARK}${Buffer.from(JSON.stringify(specs)).toString('base64')}`,
    proto(n.bh4, `ipv4 { table ${s.tables.ipv4}; }`, bh[4]),
    proto(n.bh6, `ipv6 { table ${s.tables.ipv6}; }`, bh[6]),
    proto(n.fs4, `flow4 { table ${s.tables.flow4}; }`, fs[4]),
    proto(n.fs6, `flow6 { table ${s.tables.flow6}; }`, fs[6]),
  ].join('\n');
}

/** The rules a previous run wrote into the file; [] for a file we cannot read back. */
export function readState(fileText: string): RuleSpec[] {
  const line = fileText.split('\n').find((l) => l.startsWith(STATE_MARK));
  if (!line) return [];
  try {
    const v: unknown = JSON.parse(Buffer.from(line.slice(STATE_MARK.length), 'base64').toString('utf8'));
    return Array.isArray(v) ? (v as RuleSpec[]).filter((x) => x && typeof x === 'object' && (x.kind === 'blackhole' || x.kind === 'flowspec')) : [];
  } catch {
    return [];
  }
}
