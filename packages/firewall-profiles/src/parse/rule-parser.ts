// One parser per suite behind one interface: rule text in, the argument vector the suite's own
// tool takes out, or a RuleParseError saying what is wrong.
export interface ParsedRule {
  /** The words the node's tool gets (no shell ever sees them). */
  argv: string[];
  /** Which address family the rule is for (iptables: iptables or ip6tables; the others: both). */
  family: 4 | 6 | 'both';
}

export interface RuleParser {
  parse(cmd: string): ParsedRule;
}
