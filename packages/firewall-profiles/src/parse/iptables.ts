// iptables rule text (`[iptables|ip6tables] [-A INPUT] SPEC`) → the SPEC words, each option and
// value checked against what a hardening rule may use. The chain is always the profile's own:
// tables, other chains, insert/delete/flush and jumps to user chains are refused.
import { IFACE, isPortRange, isPrefix, isUint, oneOf, RuleParseError, tokenize } from './tokens.ts';
import type { ParsedRule, RuleParser } from './rule-parser.ts';

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'ipv6-icmp', 'icmpv6', 'gre', 'esp', 'ah', 'sctp', 'all'];
const MODULES = ['conntrack', 'state', 'limit', 'hashlimit', 'multiport', 'tcp', 'udp', 'icmp', 'icmp6', 'comment', 'connlimit', 'length'];
const TARGETS = ['ACCEPT', 'DROP', 'REJECT', 'RETURN'];
const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];
const ICMP_TYPES = ['any', 'echo-request', 'echo-reply', 'destination-unreachable', 'time-exceeded', 'parameter-problem', 'source-quench', 'redirect', 'timestamp-request', 'address-mask-request', 'packet-too-big', 'neighbour-solicitation', 'neighbour-advertisement', 'router-advertisement', 'router-solicitation', 'neighbor-solicitation', 'neighbor-advertisement'];
const REJECT_WITH = ['icmp-port-unreachable', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'tcp-reset', 'icmp6-port-unreachable', 'icmp6-adm-prohibited'];
const RATE = /^[0-9]{1,7}\/(s|sec|second|m|min|minute|h|hour|d|day)$/;
const HASH_MODES = ['srcip', 'dstip', 'srcport', 'dstport'];

type Check = (v: string) => boolean;
const list = (allowed: string[]): Check => (v) => v.split(',').every((x) => allowed.includes(x));
const ports: Check = (v) => v.split(',').length <= 15 && v.split(',').every((p) => isPortRange(p, ':'));
const prefixes: Check = (v) => v.split(',').length <= 32 && v.split(',').every(isPrefix);

/** Options with one value and what the value may be; `null` means a flag without value. */
const OPTIONS: Record<string, { check: Check | null; allowed: string; negatable?: boolean }> = {
  '-p': { check: (v) => PROTOCOLS.includes(v), allowed: PROTOCOLS.join(', '), negatable: true },
  '-s': { check: prefixes, allowed: 'IP addresses or prefixes, comma-separated', negatable: true },
  '-d': { check: prefixes, allowed: 'IP addresses or prefixes, comma-separated', negatable: true },
  '-i': { check: (v) => IFACE.test(v.replace(/\+$/, '')), allowed: 'an interface name', negatable: true },
  '-m': { check: (v) => MODULES.includes(v), allowed: MODULES.join(', ') },
  '-j': { check: (v) => TARGETS.includes(v), allowed: TARGETS.join(', ') },
  '--dport': { check: (v) => isPortRange(v, ':'), allowed: 'a port or FROM:TO', negatable: true },
  '--sport': { check: (v) => isPortRange(v, ':'), allowed: 'a port or FROM:TO', negatable: true },
  '--dports': { check: ports, allowed: 'up to 15 ports or FROM:TO, comma-separated', negatable: true },
  '--sports': { check: ports, allowed: 'up to 15 ports or FROM:TO, comma-separated', negatable: true },
  '--syn': { check: null, allowed: '', negatable: true },
  '--ctstate': { check: list(STATES), allowed: STATES.join(', '), negatable: true },
  '--state': { check: list(STATES), allowed: STATES.join(', '), negatable: true },
  '--limit': { check: (v) => RATE.test(v), allowed: 'N/second, N/minute, N/hour or N/day' },
  '--limit-burst': { check: (v) => isUint(v, 1_000_000) && v !== '0', allowed: 'an integer from 1 to 1000000' },
  '--hashlimit-above': { check: (v) => RATE.test(v), allowed: 'N/sec, N/min, N/hour or N/day' },
  '--hashlimit-upto': { check: (v) => RATE.test(v), allowed: 'N/sec, N/min, N/hour or N/day' },
  '--hashlimit-burst': { check: (v) => isUint(v, 1_000_000) && v !== '0', allowed: 'an integer from 1 to 1000000' },
  '--hashlimit-mode': { check: list(HASH_MODES), allowed: HASH_MODES.join(', ') },
  '--hashlimit-name': { check: (v) => /^[A-Za-z0-9_-]{1,15}$/.test(v), allowed: 'a name of up to 15 letters, digits, _ or -' },
  '--hashlimit-srcmask': { check: (v) => isUint(v, 128), allowed: 'an integer from 0 to 128' },
  '--hashlimit-htable-expire': { check: (v) => isUint(v, 86_400_000), allowed: 'milliseconds' },
  '--connlimit-above': { check: (v) => isUint(v, 1_000_000), allowed: 'an integer' },
  '--connlimit-mask': { check: (v) => isUint(v, 128), allowed: 'an integer from 0 to 128' },
  '--icmp-type': { check: (v) => ICMP_TYPES.includes(v) || isUint(v, 255), allowed: `${ICMP_TYPES.join(', ')} or 0-255`, negatable: true },
  '--icmpv6-type': { check: (v) => ICMP_TYPES.includes(v) || isUint(v, 255), allowed: `${ICMP_TYPES.join(', ')} or 0-255`, negatable: true },
  '--reject-with': { check: (v) => REJECT_WITH.includes(v), allowed: REJECT_WITH.join(', ') },
  '--comment': { check: (v) => /^[A-Za-z0-9 _.:,/()-]{1,200}$/.test(v), allowed: 'up to 200 letters, digits, spaces and _.:,/()-' },
  '--length': { check: (v) => isPortRange(v, ':'), allowed: 'N or N:M', negatable: true },
};
const ALIASES: Record<string, string> = {
  '--protocol': '-p', '--source': '-s', '--src': '-s', '--destination': '-d', '--dst': '-d', '--in-interface': '-i',
  '--match': '-m', '--jump': '-j', '--destination-port': '--dport', '--source-port': '--sport', '--destination-ports': '--dports', '--source-ports': '--sports',
};

export const iptablesParser: RuleParser = {
  parse(cmd: string): ParsedRule {
    const words = tokenize(cmd);
    let family: 4 | 6 = 4;
    let i = 0;
    if (words[0] === 'iptables' || words[0] === 'ip6tables') {
      family = words[0] === 'ip6tables' ? 6 : 4;
      i = 1;
    }
    if (words[i] === '-A' || words[i] === '--append') {
      if (words[i + 1] !== 'INPUT') throw new RuleParseError(`chain: ${JSON.stringify(words[i + 1] ?? '')}; allowed: INPUT (the profile puts it in its own chain)`);
      i += 2;
    }
    const argv: string[] = [];
    let target = false;
    while (i < words.length) {
      let w = words[i]!;
      let negated = false;
      if (w === '!') {
        negated = true;
        i += 1;
        w = words[i] ?? '';
      }
      const name = ALIASES[w] ?? w;
      const opt = OPTIONS[name];
      if (!opt) throw new RuleParseError(`option ${JSON.stringify(w)} is not allowed; allowed: ${Object.keys(OPTIONS).join(' ')}`);
      if (negated && !opt.negatable) throw new RuleParseError(`option ${name} cannot be negated`);
      if (negated) argv.push('!');
      argv.push(name);
      if (opt.check) {
        const v = words[i + 1];
        if (v === undefined || !opt.check(v)) throw new RuleParseError(`${name}: ${v === undefined ? 'missing value' : JSON.stringify(v)}; allowed: ${opt.allowed}`);
        argv.push(v);
        i += 2;
      } else {
        i += 1;
      }
      if (name === '-s' || name === '-d') {
        const fam = argv.at(-1)!.includes(':') ? 6 : 4;
        if (fam !== family) throw new RuleParseError(`${name}: ${argv.at(-1)} is IPv${fam}, the rule is for ${family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}`);
      }
      if (name === '-j') target = true;
    }
    if (!target) throw new RuleParseError(`-j: missing; allowed: ${TARGETS.join(', ')}`);
    oneOf(argv[argv.indexOf('-j') + 1], TARGETS, '-j');
    return { argv, family };
  },
};
