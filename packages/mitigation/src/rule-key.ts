// A canonical text for a rule spec: the same announcement always gives the same key, whatever
// order its parts were given in. Reconciliation compares stored rules with what a speaker
// has by these keys.
import type { FlowspecMatch, NumRange, RuleSpec } from '@breakwater/contracts';

const ranges = (r: NumRange[] | undefined) => (r ? [...r].sort((a, b) => a.from - b.from || a.to - b.to).map((x) => (x.from === x.to ? `${x.from}` : `${x.from}-${x.to}`)).join(',') : '');
const sorted = <T>(xs: T[] | undefined) => (xs ? [...xs].map(String).sort().join(',') : '');

export function matchKey(m: FlowspecMatch): string {
  return [
    `dst=${m.destination.toLowerCase()}`, `src=${(m.source ?? '').toLowerCase()}`, `proto=${sorted(m.protocols?.map((p) => String(p).padStart(3, '0')))}`,
    `dport=${ranges(m.destination_ports)}`, `sport=${ranges(m.source_ports)}`, `flags=${sorted(m.tcp_flags)}`,
    `len=${ranges(m.packet_length)}`, `frag=${sorted(m.fragment)}`,
  ].join(';');
}

export function ruleKey(spec: RuleSpec): string {
  switch (spec.kind) {
    case 'blackhole': return `blackhole|${spec.prefix.toLowerCase()}`;
    case 'scrubbing': return `scrubbing|${spec.prefix.toLowerCase()}`;
    case 'flowspec': return `flowspec|${matchKey(spec.match)}`;
  }
}
