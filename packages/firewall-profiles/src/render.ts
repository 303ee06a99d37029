// What a node runs for a profile, per suite: the same text for preview (server) and apply
// (agent). Before the profile's rules, in this order: the agent's own connection to its server
// (never cut off) and the allowlist (always wins); both come from checked addresses only.
import { PROFILE_CHAIN, PROFILE_TABLE } from '@breakwater/contracts/plain';
import type { FirewallSuite } from '@breakwater/contracts';
import type { CheckedRule } from './parsers.ts';
import { FIREWALLD_ZONE } from './parse/firewalld.ts';
import { familyOf, isPort, isPrefix } from './parse/tokens.ts';

export interface ManagementPeer {
  address: string;
  port: number;
}

export interface RenderInput {
  rules: readonly CheckedRule[];
  /** The server the agent talks to: accepted first. */
  management?: readonly ManagementPeer[];
  /** Allowlisted addresses or prefixes: accepted before any profile rule. */
  allowlist?: readonly string[];
}

export interface RenderedProfile {
  suite: FirewallSuite;
  /** nftables: the `nft -f` transaction; iptables: `iptables-restore --noflush` input per family. */
  script: { v4?: string; v6?: string; nft?: string };
  /** ufw and firewalld: the commands, each an argv for the suite's tool (no shell). */
  commands: string[][];
}

function checked(input: RenderInput): { mgmt: ManagementPeer[]; allow: string[] } {
  const mgmt = (input.management ?? []).filter((m) => isPrefix(m.address) && !m.address.includes('/') && isPort(String(m.port)));
  const allow = (input.allowlist ?? []).filter(isPrefix);
  return { mgmt, allow };
}

function nft(input: RenderInput): string {
  const { mgmt, allow } = checked(input);
  const lines = [
    'type filter hook input priority -10; policy accept;',
    ...mgmt.map((m) => `${familyOf(m.address) === 4 ? 'ip' : 'ip6'} saddr ${m.address} tcp sport ${m.port} accept comment "bw-mgmt"`),
    ...[4, 6].flatMap((f) => {
      const list = allow.filter((a) => familyOf(a) === f);
      return list.length ? [`${f === 4 ? 'ip' : 'ip6'} saddr { ${list.join(', ')} } accept comment "bw-allowlist"`] : [];
    }),
    ...input.rules.map((r) => r.argv.join(' ')),
  ];
  return `table inet ${PROFILE_TABLE} {}\ndelete table inet ${PROFILE_TABLE}\ntable inet ${PROFILE_TABLE} {\n  chain input {\n${lines.map((l) => `    ${l}`).join('\n')}\n  }\n}\n`;
}

/** One family's iptables-restore --noflush input: the chain declared (so emptied) and filled. */
export function iptablesChainLines(input: RenderInput, family: 4 | 6): string[] {
  const { mgmt, allow } = checked(input);
  return [
    ...mgmt.filter((m) => familyOf(m.address) === family).map((m) => `-A ${PROFILE_CHAIN} -s ${m.address} -p tcp --sport ${m.port} -m comment --comment bw-mgmt -j ACCEPT`),
    ...allow.filter((a) => familyOf(a) === family).map((a) => `-A ${PROFILE_CHAIN} -s ${a} -m comment --comment bw-allowlist -j ACCEPT`),
    ...input.rules.filter((r) => r.family === family || r.family === 'both').map((r) => `-A ${PROFILE_CHAIN} ${r.argv.map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(' ')}`),
  ];
}

function iptables(input: RenderInput, family: 4 | 6): string {
  return `*filter\n:${PROFILE_CHAIN} - [0:0]\n${iptablesChainLines(input, family).join('\n')}\nCOMMIT\n`;
}

export function renderProfile(suite: FirewallSuite, input: RenderInput): RenderedProfile {
  const { mgmt, allow } = checked(input);
  switch (suite) {
    case 'nftables':
      return { suite, script: { nft: nft(input) }, commands: [] };
    case 'iptables':
      return { suite, script: { v4: iptables(input, 4), v6: iptables(input, 6) }, commands: [] };
    case 'ufw':
      return {
        suite,
        script: {},
        commands: [
          ...mgmt.map((m) => ['allow', 'from', m.address, 'port', String(m.port), 'proto', 'tcp']),
          ...allow.map((a) => ['allow', 'from', a]),
          ...input.rules.map((r) => r.argv),
        ],
      };
    case 'firewalld':
      return {
        suite,
        script: {},
        commands: [
          ...mgmt.map((m) => ['--permanent', `--zone=${FIREWALLD_ZONE}`, `--add-rich-rule=rule family="ipv${familyOf(m.address)}" source address="${m.address}" accept`]),
          ...allow.map((a) => ['--permanent', `--zone=${FIREWALLD_ZONE}`, `--add-rich-rule=rule family="ipv${familyOf(a)}" source address="${a}" accept`]),
          ...input.rules.map((r) => r.argv),
        ],
      };
  }
}

/** The whole of what a node runs, as one text (preview). */
export function renderText(r: RenderedProfile): string {
  if (r.suite === 'nftables') return `# nft -f -\n${r.script.nft}`;
  if (r.suite === 'iptables') return `# iptables-restore --noflush\n${r.script.v4}# ip6tables-restore --noflush\n${r.script.v6}`;
  const tool = r.suite === 'ufw' ? 'ufw' : 'firewall-cmd';
  const q = (w: string) => (/^[A-Za-z0-9_./:=,-]+$/.test(w) ? w : `'${w}'`);
  return `${r.commands.map((c) => [tool, ...c].map(q).join(' ')).join('\n')}\n`;
}
