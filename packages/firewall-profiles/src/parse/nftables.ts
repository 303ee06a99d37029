// nftables rule text (a rule statement as written inside a chain, optionally prefixed by
// `nft add rule FAMILY TABLE CHAIN`) → its words. Every word is a keyword from a fixed list or a
// checked value (number, port range, address, prefix, rate, interface name), so the text can only
// ever be one rule of the profile's own chain; nft itself checks the grammar in the transaction.
import { IFACE, isPortRange, isPrefix, isUint, RuleParseError, tokenizeQuoted } from './tokens.ts';
import type { ParsedRule, RuleParser } from './rule-parser.ts';

const KEYWORDS = new Set([
  'ip', 'ip6', 'saddr', 'daddr', 'tcp', 'udp', 'sctp', 'dport', 'sport', 'ct', 'state', 'new', 'established', 'related', 'invalid', 'untracked',
  'iifname', 'iif', 'meta', 'l4proto', 'nfproto', 'ipv4', 'ipv6', 'icmp', 'icmpv6', 'type', 'code', 'gre', 'esp', 'ah', 'length',
  'echo-request', 'echo-reply', 'destination-unreachable', 'time-exceeded', 'parameter-problem', 'packet-too-big', 'source-quench', 'redirect',
  'nd-neighbor-solicit', 'nd-neighbor-advert', 'nd-router-advert', 'nd-router-solicit', 'mld-listener-query',
  'limit', 'rate', 'over', 'burst', 'packets', 'bytes', 'counter', 'accept', 'drop', 'reject', 'with', 'tcp', 'reset', 'flags', 'syn', 'fin', 'rst', 'ack', 'psh', 'urg',
  'port-unreachable', 'admin-prohibited', 'icmpx', 'fragment', 'frag-off', 'ttl', 'hoplimit', 'lo',
  '{', '}', ',', '/', '!=', '==', '<', '>', '<=', '>=', '&', 'second', 'minute', 'hour', 'day',
]);
const RATE = /^[0-9]{1,9}\/(second|minute|hour|day)$/;
const VERDICTS = ['accept', 'drop', 'reject', 'counter'];

/** Words with `{`, `}`, `,` split off, as nft reads them. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const { word, quoted } of tokenizeQuoted(text)) {
    // A quoted word is one value (an interface name), never syntax.
    if (quoted) {
      if (!IFACE.test(word)) throw new RuleParseError(`${JSON.stringify(word)} is not an interface name (the only quoted value allowed)`);
      out.push(word);
      continue;
    }
    for (const part of word.split(/([{},])/)) if (part !== '') out.push(part);
  }
  return out;
}

function valueOk(w: string): boolean {
  return isUint(w, 4_294_967_295) || isPortRange(w, '-') || isPrefix(w) || RATE.test(w) || /^0x[0-9a-fA-F]{1,8}$/.test(w);
}

export const nftablesParser: RuleParser = {
  parse(cmd: string): ParsedRule {
    const quoted = new Set<number>();
    let ws = words(cmd);
    if (ws[0] === 'nft') {
      if (ws[1] !== 'add' || ws[2] !== 'rule' || ws.length < 6) throw new RuleParseError('a command must be `nft add rule FAMILY TABLE CHAIN STATEMENT`, or the statement alone');
      ws = ws.slice(6);
    }
    if (ws.length === 0) throw new RuleParseError('no statement');
    // Interface names are the one free-text value: quoted again on output.
    const argv = ws.map((w, i) => {
      if ((ws[i - 1] === 'iifname') && w !== '{' && w !== '!=') {
        if (!IFACE.test(w)) throw new RuleParseError(`iifname: ${JSON.stringify(w)} is not an interface name`);
        quoted.add(i);
        return `"${w}"`;
      }
      if (KEYWORDS.has(w) || valueOk(w)) return w;
      throw new RuleParseError(`word ${JSON.stringify(w)} is not allowed; allowed: match keywords (ip, ip6, tcp, udp, ct, meta, icmp, icmpv6, limit…), numbers, ports, addresses, rates N/second and verdicts ${VERDICTS.join(', ')}`);
    });
    const last = ws.at(-1)!;
    if (!VERDICTS.includes(last) && !(ws.at(-2) === 'with')) throw new RuleParseError(`the rule must end in a verdict; allowed: ${VERDICTS.join(', ')}`);
    const family = ws.includes('ip6') || ws.includes('icmpv6') ? 6 : ws.includes('ip') || ws.includes('icmp') ? 4 : 'both';
    return { argv, family };
  },
};
