// The four suites' parsers, one registry: a new suite in contracts fails to compile until it
// has one. `checkRules` is what the server runs on custom rules and the agent runs again.
import type { FirewallSuite } from '@breakwater/contracts';
import { firewalldParser } from './parse/firewalld.ts';
import { iptablesParser } from './parse/iptables.ts';
import { nftablesParser } from './parse/nftables.ts';
import type { ParsedRule, RuleParser } from './parse/rule-parser.ts';
import { RuleParseError } from './parse/tokens.ts';
import { ufwParser } from './parse/ufw.ts';

export const RULE_PARSERS: Record<FirewallSuite, RuleParser> = {
  iptables: iptablesParser,
  nftables: nftablesParser,
  ufw: ufwParser,
  firewalld: firewalldParser,
};

/** A refused rule: `path` names where (e.g. `rules[3].cmd`), `message` what is wrong and what is allowed. */
export class RuleSetError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

export interface CheckedRule extends ParsedRule {
  title: string;
  reason: string;
  cmd: string;
}

/**
 * Checks rules as sent (untrusted: any JSON) for one suite; the first bad one is refused naming
 * its index and key. `base` names the list in messages (`rules`).
 */
export function checkRules(suite: FirewallSuite, rules: readonly unknown[], base = 'rules'): CheckedRule[] {
  const parser = RULE_PARSERS[suite];
  return rules.map((r, i) => {
    const at = `${base}[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new RuleSetError(at, 'must be an object with cmd and title');
    const o = r as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['cmd', 'title', 'reason'].includes(k)) throw new RuleSetError(`${at}.${k}`, 'unknown key; allowed: cmd, title');
    if (typeof o.title !== 'string' || o.title.trim() === '' || o.title.length > 200) throw new RuleSetError(`${at}.title`, 'must be a non-empty string of at most 200 characters');
    if (typeof o.cmd !== 'string') throw new RuleSetError(`${at}.cmd`, `must be a ${suite} rule as a string`);
    try {
      const parsed = parser.parse(o.cmd);
      return { ...parsed, title: o.title, reason: typeof o.reason === 'string' ? o.reason : 'custom rule', cmd: o.cmd };
    } catch (e) {
      if (e instanceof RuleParseError) throw new RuleSetError(`${at}.cmd`, `not a ${suite} rule Breakwater accepts: ${e.message}`);
      throw e;
    }
  });
}

export { RuleParseError };
