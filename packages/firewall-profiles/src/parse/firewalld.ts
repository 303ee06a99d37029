// firewall-cmd rule text → firewall-cmd's argv, always for the profile's own zone and always
// --permanent (the agent reloads once, so the zone changes as a whole). Rich rules are parsed
// by the element grammar of firewalld.richlanguage(5), each value checked.
import { isPortRange, isPrefix, NAME, oneOf, RuleParseError, tokenize } from './tokens.ts';
import type { ParsedRule, RuleParser } from './rule-parser.ts';

export const FIREWALLD_ZONE = 'bw-profile';
const TARGETS = ['ACCEPT', 'DROP', 'REJECT', 'default'];
const ICMP = ['echo-request', 'echo-reply', 'destination-unreachable', 'time-exceeded', 'parameter-problem', 'packet-too-big', 'neighbour-solicitation', 'neighbour-advertisement', 'router-advertisement', 'timestamp-request', 'redirect'];
const PROTOS = ['tcp', 'udp', 'sctp', 'dccp'];
const LIMIT = /^[0-9]{1,7}\/(s|m|h|d)$/;

/** `key="value"` words of a rich rule, with the quotes gone. */
function richWords(rule: string): string[] {
  const out: string[] = [];
  const re = /\s*([a-z-]+="[^"]*"|[a-z-]+)\s*/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(rule)) !== null) {
    out.push(m[1]!);
    at = re.lastIndex;
    if (at >= rule.length) break;
  }
  if (at < rule.trimEnd().length) throw new RuleParseError(`rich rule: cannot read ${JSON.stringify(rule.slice(at, at + 20))}`);
  return out;
}

function parseRich(rule: string): { text: string; family: 4 | 6 | 'both' } {
  const w = richWords(rule);
  let i = 0;
  const kv = (key: string, check: (v: string) => boolean, allowed: string): string => {
    const m = /^([a-z-]+)="(.*)"$/.exec(w[i] ?? '');
    if (!m || m[1] !== key || !check(m[2]!)) throw new RuleParseError(`rich rule ${key}: ${JSON.stringify(w[i] ?? '')}; allowed: ${key}="${allowed}"`);
    i += 1;
    return `${key}="${m[2]}"`;
  };
  const out: string[] = [oneOf(w[i++], ['rule'], 'rich rule')];
  let family: 4 | 6 | 'both' = 'both';
  if (w[i]?.startsWith('family=')) {
    const f = kv('family', (v) => v === 'ipv4' || v === 'ipv6', 'ipv4|ipv6');
    family = f.includes('ipv6') ? 6 : 4;
    out.push(f);
  }
  for (const dir of ['source', 'destination']) {
    if (w[i] !== dir) continue;
    out.push(w[i++]!);
    if (w[i] === 'not') out.push(w[i++]!);
    const a = kv('address', isPrefix, 'IP address or prefix');
    if (family === 'both') throw new RuleParseError(`rich rule ${dir}: an address needs family="ipv4" or family="ipv6" first`);
    if ((a.includes(':') ? 6 : 4) !== family) throw new RuleParseError(`rich rule ${dir}: the address is not of the rule's family`);
    out.push(a);
  }
  const el = w[i];
  if (el === 'service') out.push(w[i++]!, kv('name', (v) => NAME.test(v), 'a service name'));
  else if (el === 'port') out.push(w[i++]!, kv('port', (v) => isPortRange(v, '-'), 'PORT or FROM-TO'), kv('protocol', (v) => PROTOS.includes(v), PROTOS.join('|')));
  else if (el === 'protocol') out.push(w[i++]!, kv('value', (v) => /^[a-z0-9-]{1,16}$/.test(v), 'a protocol name'));
  else if (el === 'icmp-type' || el === 'icmp-block') out.push(w[i++]!, kv('name', (v) => ICMP.includes(v), ICMP.join('|')));
  const action = w[i];
  if (el === 'icmp-block') {
    if (action !== undefined) throw new RuleParseError('rich rule: icmp-block takes no action');
  } else {
    out.push(oneOf(w[i++], ['accept', 'reject', 'drop'], 'rich rule action'));
    if (w[i] === 'limit') out.push(w[i++]!, kv('value', (v) => LIMIT.test(v), 'N/s, N/m, N/h or N/d'));
  }
  if (i < w.length) throw new RuleParseError(`rich rule: unexpected ${JSON.stringify(w[i])}`);
  return { text: out.join(' '), family };
}

export const firewalldParser: RuleParser = {
  parse(cmd: string): ParsedRule {
    const w = tokenize(cmd);
    let i = w[0] === 'firewall-cmd' ? 1 : 0;
    let action: string | undefined;
    let family: 4 | 6 | 'both' = 'both';
    for (; i < w.length; i += 1) {
      const word = w[i]!;
      if (word === '--permanent') continue;
      if (word.startsWith('--zone=')) {
        if (word !== `--zone=${FIREWALLD_ZONE}`) throw new RuleParseError(`--zone: allowed: ${FIREWALLD_ZONE} (the profile's own zone)`);
        continue;
      }
      if (action) throw new RuleParseError(`one change per rule: ${JSON.stringify(word)} after ${JSON.stringify(action.split('=')[0])}`);
      const eq = word.indexOf('=');
      const key = eq < 0 ? word : word.slice(0, eq);
      const v = eq < 0 ? '' : word.slice(eq + 1);
      switch (key) {
        case '--add-port':
          if (!/^[0-9]{1,5}(-[0-9]{1,5})?\/(tcp|udp|sctp|dccp)$/.test(v) || !isPortRange(v.split('/')[0]!, '-')) throw new RuleParseError(`--add-port: ${JSON.stringify(v)}; allowed: PORT[-PORT]/tcp|udp|sctp|dccp`);
          break;
        case '--add-service':
          if (!NAME.test(v)) throw new RuleParseError(`--add-service: ${JSON.stringify(v)}; allowed: a service name`);
          break;
        case '--add-icmp-block':
          oneOf(v, ICMP, '--add-icmp-block');
          break;
        case '--add-source':
          if (!isPrefix(v)) throw new RuleParseError(`--add-source: ${JSON.stringify(v)}; allowed: an IP address or prefix`);
          break;
        case '--set-target':
          oneOf(v, TARGETS, '--set-target');
          break;
        case '--add-rich-rule': {
          const r = parseRich(v);
          family = r.family;
          action = `--add-rich-rule=${r.text}`;
          continue;
        }
        default:
          throw new RuleParseError(`option ${JSON.stringify(key)} is not allowed; allowed: --add-port, --add-service, --add-rich-rule, --add-icmp-block, --add-source, --set-target`);
      }
      action = word;
    }
    if (!action) throw new RuleParseError('no change given; allowed: --add-port, --add-service, --add-rich-rule, --add-icmp-block, --add-source, --set-target');
    return { argv: ['--permanent', `--zone=${FIREWALLD_ZONE}`, action], family };
  },
};
