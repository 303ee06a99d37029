// ufw rule text → ufw's argv, following ufw(8)'s grammar: `default POLICY DIRECTION`, the short
// form `ACTION [in|out] [on IF] PORT[/PROTO]`, and the full form `ACTION [in|out] [on IF]
// [proto P] [from ADDR [port PORTS]] [to ADDR [port PORTS]]`, with an optional `comment`.
import { IFACE, isPortRange, isPrefix, oneOf, RuleParseError, tokenize } from './tokens.ts';
import type { ParsedRule, RuleParser } from './rule-parser.ts';

const ACTIONS = ['allow', 'deny', 'reject', 'limit'];
const PROTOS = ['tcp', 'udp', 'ah', 'esp', 'gre', 'ipv6', 'igmp'];
const SERVICES = ['ssh', 'http', 'https', 'smtp', 'submission', 'imaps', 'pop3s', 'domain', 'ntp', 'ftp'];
const portList = (v: string) => v.split(',').length <= 15 && v.split(',').every((p) => isPortRange(p, ':'));

export const ufwParser: RuleParser = {
  parse(cmd: string): ParsedRule {
    const w = tokenize(cmd);
    let i = w[0] === 'ufw' ? 1 : 0;
    const argv: string[] = [];
    const take = () => {
      const x = w[i];
      i += 1;
      return x;
    };
    if (w[i] === 'default') {
      argv.push(take()!, oneOf(take(), ['allow', 'deny', 'reject'], 'default policy'), oneOf(take(), ['incoming', 'outgoing', 'routed'], 'default direction'));
      if (i < w.length) throw new RuleParseError(`unexpected ${JSON.stringify(w[i])} after the default policy`);
      return { argv, family: 'both' };
    }
    argv.push(oneOf(take(), ACTIONS, 'action'));
    if (w[i] === 'in' || w[i] === 'out') argv.push(take()!);
    if (w[i] === 'on') {
      argv.push(take()!);
      const iface = take();
      if (!iface || !IFACE.test(iface)) throw new RuleParseError(`on: ${JSON.stringify(iface ?? '')} is not an interface name`);
      argv.push(iface);
    }
    let family: 4 | 6 | 'both' = 'both';
    const next = w[i];
    if (next !== undefined && next !== 'proto' && next !== 'from' && next !== 'to') {
      // Short form: PORT[/PROTO] or a service name.
      const m = /^([0-9:,]+)(?:\/(tcp|udp))?$/.exec(next);
      if (!(SERVICES.includes(next) || (m && portList(m[1]!) && (!/[,:]/.test(m[1]!) || m[2])))) {
        throw new RuleParseError(`port: ${JSON.stringify(next)}; allowed: PORT[/tcp|udp] (lists and ranges need the protocol), or one of ${SERVICES.join(', ')}`);
      }
      argv.push(take()!);
    } else {
      let any = false;
      if (w[i] === 'proto') {
        argv.push(take()!, oneOf(take(), PROTOS, 'proto'));
        any = true;
      }
      for (const dir of ['from', 'to']) {
        if (w[i] !== dir) continue;
        argv.push(take()!);
        const addr = take();
        if (addr === undefined || (addr !== 'any' && !isPrefix(addr))) throw new RuleParseError(`${dir}: ${JSON.stringify(addr ?? '')}; allowed: any, or an IP address or prefix`);
        if (addr !== 'any') family = addr.includes(':') ? 6 : 4;
        argv.push(addr);
        if (w[i] === 'port') {
          argv.push(take()!);
          const p = take();
          if (!p || !portList(p)) throw new RuleParseError(`port: ${JSON.stringify(p ?? '')}; allowed: a port, FROM:TO, or a comma list`);
          if (/[,:]/.test(p) && !argv.includes('proto')) throw new RuleParseError('port: lists and ranges need `proto tcp` or `proto udp`');
          argv.push(p);
        }
        any = true;
      }
      if (!any) throw new RuleParseError('expected a port, `proto`, `from` or `to` after the action');
    }
    if (w[i] === 'comment') {
      argv.push(take()!);
      const c = take();
      if (!c || !/^[A-Za-z0-9 _.:,/()-]{1,200}$/.test(c)) throw new RuleParseError('comment: up to 200 letters, digits, spaces and _.:,/()-');
      argv.push(c);
    }
    if (i < w.length) throw new RuleParseError(`unexpected ${JSON.stringify(w[i])}`);
    return { argv, family };
  },
};
