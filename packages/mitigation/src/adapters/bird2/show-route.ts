// Reads `birdc show route [table T] … all` into routes: unicast prefixes with communities and
// FlowSpec rules with their action. Used by the bird2 adapter's present() and by the test bed's
// upstream observer. BIRD's output is untrusted text: nothing here throws; what it cannot
// read becomes a route without a rule (match null), never an exception.
import type { FlowspecAction, FlowspecMatch, NumRange } from '@breakwater/contracts';
import { FRAGMENT_NAMES, type FragmentName } from '@breakwater/contracts';
import { TCP_FLAG_BITS, namesOf } from '../bgp-common/flowspec-ops.ts';
import { tryPrefix } from '../rule-prefix.ts';

export interface BirdRoute {
  table: string;
  /** The network as BIRD printed it: "198.18.7.1/32" or "flow4 { … }". */
  net: string;
  /** The protocol that brought the route ("spk4", "breakwater_bh4"). */
  protocol: string;
  /** Set for unicast routes. */
  prefix: string | null;
  /** Set for FlowSpec routes BIRD printed in a form a FlowspecMatch can say. */
  match: FlowspecMatch | null;
  communities: string[];
  /** Extended communities as BIRD printed them, e.g. "generic, 0x80060000, 0x0". */
  extCommunities: string[];
}

export function parseShowRoute(text: unknown): BirdRoute[] {
  if (typeof text !== 'string') return [];
  const out: BirdRoute[] = [];
  let table = '';
  let lastNet = '';
  let cur: BirdRoute | null = null;
  for (const line of text.split('\n')) {
    const t = /^Table (\S+):$/.exec(line);
    if (t) { table = t[1]!; continue; }
    if (line.startsWith('\t') || line.startsWith('        \t')) {
      if (!cur) continue;
      const attr = line.trim();
      if (attr.startsWith('BGP.community:')) cur.communities = [...attr.matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
      else if (attr.startsWith('BGP.ext_community:')) cur.extCommunities = [...attr.matchAll(/\(([^()]*)\)/g)].map((m) => m[1]!.trim());
      continue;
    }
    let net: string | null = null;
    let rest = line;
    if (/^flow[46] \{/.test(line)) {
      const close = line.indexOf('}');
      if (close < 0) { cur = null; continue; }
      net = line.slice(0, close + 1);
      rest = line.slice(close + 1);
    } else if (/^\S/.test(line)) {
      const m = /^(\S+)\s/.exec(line);
      if (!m || !tryPrefix(m[1]!)) { cur = null; continue; }
      net = m[1]!;
      rest = line.slice(m[0].length);
    } else if (/^\s+\S/.test(line) && lastNet) {
      net = lastNet; // another route for the same network
    } else { cur = null; continue; }
    const proto = /\[([A-Za-z0-9_.-]+)[\s\]]/.exec(rest);
    if (!proto) { cur = null; continue; }
    lastNet = net;
    const prefix = net.startsWith('flow') ? null : (tryPrefix(net)?.text ?? null);
    cur = { table, net, protocol: proto[1]!, prefix, match: net.startsWith('flow') ? parseFlow(net) : null, communities: [], extCommunities: [] };
    out.push(cur);
  }
  return out;
}

/** "53,123", "1024..65535", "> 1023 && < 2000 || 80" → ranges; null if not expressible. */
export function parseNumeric(expr: string, max = 65535): NumRange[] | null {
  const out: NumRange[] = [];
  for (const alt of expr.split(/\s*(?:\|\||,)\s*/)) {
    let from = 0;
    let to = max;
    const terms = alt.split(/\s*&&\s*/);
    for (const raw of terms) {
      const term = raw.trim();
      let m: RegExpExecArray | null;
      if ((m = /^(\d+)\.\.(\d+)$/.exec(term))) { from = Math.max(from, Number(m[1])); to = Math.min(to, Number(m[2])); }
      else if ((m = /^(<=|>=|<|>|=)?\s*(\d+)$/.exec(term))) {
        const v = Number(m[2]);
        switch (m[1]) {
          case '>=': from = Math.max(from, v); break;
          case '>': from = Math.max(from, v + 1); break;
          case '<=': to = Math.min(to, v); break;
          case '<': to = Math.min(to, v - 1); break;
          default: from = Math.max(from, v); to = Math.min(to, v);
        }
      } else return null;
    }
    if (from > to || terms.length === 0) return null;
    out.push({ from, to });
  }
  return out.length ? out : null;
}

const BIRD_FRAGMENTS: Record<string, FragmentName> = { dont_fragment: 'dont-fragment', is_fragment: 'is-fragment', first_fragment: 'first-fragment', last_fragment: 'last-fragment' };

/**
 * "all of these flags set" as BIRD prints it: "0x12/0x12" (one match-bit test, how GoBGP and
 * BIRD encode it) or "!0x0/0x2 && !0x0/0x10" (one "any of" test per flag, how ExaBGP does).
 */
function tcpFlagBits(expr: string): number | null {
  if (expr.includes('||')) return null;
  let bits = 0;
  for (const term of expr.split(/\s*&&\s*/)) {
    const t = /^(!?)0x([0-9a-f]+)\/0x([0-9a-f]+)$/i.exec(term.trim());
    if (!t) return null;
    const v = parseInt(t[2]!, 16);
    const mask = parseInt(t[3]!, 16);
    if (t[1] === '' && v === mask) bits |= mask;
    else if (t[1] === '!' && v === 0 && (mask & (mask - 1)) === 0) bits |= mask;
    else return null;
  }
  return bits || null;
}

/** "flow4 { dst …; src …; proto …; … }" → FlowspecMatch, or null when a part cannot be said. */
export function parseFlow(net: string): FlowspecMatch | null {
  const body = /^flow[46] \{(.*)\}$/.exec(net.trim());
  if (!body) return null;
  const m: Partial<FlowspecMatch> = {};
  for (const raw of body[1]!.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    let x: RegExpExecArray | null;
    if ((x = /^(dst|src) (\S+)(?: offset 0)?$/.exec(part))) {
      const p = tryPrefix(x[2]!);
      if (!p) return null;
      if (x[1] === 'dst') m.destination = p.text; else m.source = p.text;
    } else if ((x = /^(?:proto|next header) (.+)$/.exec(part))) {
      const r = parseNumeric(x[1]!, 255);
      if (!r || r.some((y) => y.from !== y.to)) return null;
      m.protocols = r.map((y) => y.from);
    } else if ((x = /^(dport|sport|length) (.+)$/.exec(part))) {
      const r = parseNumeric(x[2]!);
      if (!r) return null;
      if (x[1] === 'dport') m.destination_ports = r; else if (x[1] === 'sport') m.source_ports = r; else m.packet_length = r;
    } else if ((x = /^tcp flags (.+)$/.exec(part))) {
      const bits = tcpFlagBits(x[1]!);
      if (bits === null) return null;
      m.tcp_flags = namesOf(bits, TCP_FLAG_BITS);
    } else if ((x = /^fragment (.+)$/.exec(part))) {
      // "!!x" is BIRD's print of a bitmask test without the match bit, (data & x) != 0: for one
      // bit the same test as "x" (ExaBGP encodes fragments so).
      const names = x[1]!.split(/\s*\|\|\s*/).map((n) => BIRD_FRAGMENTS[n.trim().replace(/^!!/, '')]);
      if (names.some((n) => !n)) return null;
      m.fragment = FRAGMENT_NAMES.filter((n) => names.includes(n));
    } else return null;
  }
  return m.destination ? (m as FlowspecMatch) : null;
}

/** BIRD's text for a FlowSpec action community → the action; null for anything else. */
export function parseFlowAction(ext: string[]): FlowspecAction | null {
  for (const e of ext) {
    const g = /^generic,\s*0x([0-9a-f]{1,8}),\s*0x([0-9a-f]{1,8})$/i.exec(e);
    if (g) {
      const hi = parseInt(g[1]!, 16) >>> 0;
      const lo = parseInt(g[2]!, 16) >>> 0;
      const typeSub = hi >>> 16;
      if (typeSub === 0x8006) {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(lo);
        const rate = Math.round(b.readFloatBE(0));
        return rate === 0 ? { type: 'discard' } : { type: 'rate-limit', bytes_per_second: rate };
      }
      if (typeSub === 0x8008) return { type: 'redirect', route_target: `${hi & 0xffff}:${lo}` };
      if (typeSub === 0x8208) return { type: 'redirect', route_target: `${(((hi & 0xffff) << 16) >>> 0) + (lo >>> 16)}:${lo & 0xffff}` };
      if (typeSub === 0x8009) return { type: 'mark', dscp: lo & 0x3f };
    }
  }
  return null;
}
