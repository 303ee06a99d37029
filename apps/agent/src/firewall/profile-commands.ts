// The agent's side of profile_apply / profile_rollback: the rules the server sent are parsed
// again here (the agent trusts no rule text), rendered with this agent's own way to its server
// first and the allowlist next, and applied by the node's profile firewall.
import { isFirewallSuite } from '@breakwater/contracts/plain';
import type { FirewallSuite } from '@breakwater/contracts';
import { checkRules, renderProfile, RuleSetError } from '@breakwater/firewall-profiles';
import type { ManagementEndpoint } from './firewall-executor.ts';
import { IptablesProfileFirewall } from './iptables-profile.ts';
import { FirewalldProfileFirewall } from './firewalld-profile.ts';
import { NftProfileFirewall } from './nft-profile.ts';
import type { ProfileFirewall } from './profile-firewall.ts';
import { profileMemoryFile } from './profile-memory.ts';
import { UfwProfileFirewall } from './ufw-profile.ts';
import { runTool } from './tool-run.ts';

export interface ProfileOutcome {
  status: 'applied' | 'failed' | 'rejected';
  error: string | null;
  output?: string | null;
}

/** One profile firewall per suite; with a state dir (the spool dir) the state before each apply survives a restart. */
export const PROFILE_FIREWALLS: Record<FirewallSuite, (stateDir?: string) => ProfileFirewall> = {
  nftables: (dir) => new NftProfileFirewall({ stateFile: dir && profileMemoryFile(dir, 'nftables') }),
  iptables: (dir) => new IptablesProfileFirewall({ stateFile: dir && profileMemoryFile(dir, 'iptables') }),
  ufw: (dir) => new UfwProfileFirewall({ stateFile: dir && profileMemoryFile(dir, 'ufw') }),
  firewalld: (dir) => new FirewalldProfileFirewall({ stateFile: dir && profileMemoryFile(dir, 'firewalld') }),
};

/** How `auto` recognises a suite, in order: a host that runs ufw or firewalld keeps its manager; else nft, else iptables-restore. */
const PROBES: readonly (readonly [FirewallSuite, string, readonly string[], RegExp | null])[] = [
  ['ufw', 'ufw', ['status'], /^Status: active$/m],
  ['firewalld', 'firewall-cmd', ['--state'], null],
  ['nftables', 'nft', ['list', 'tables'], null],
  ['iptables', 'iptables-save', ['-t', 'filter'], null],
];

/** The node's suite: the agent config's `profile_suite`, or the first of PROBES that answers. */
export async function detectProfileSuite(configured: FirewallSuite | 'auto' = 'auto'): Promise<FirewallSuite | null> {
  if (configured !== 'auto') return configured;
  for (const [suite, program, args, wants] of PROBES) {
    try {
      const out = await runTool(program, args);
      if (!wants || wants.test(out)) return suite;
    } catch {
      // not here
    }
  }
  return null;
}

/** The agent's profile commands, or null when profiles are off or no suite runs here (then they are refused). */
export async function createProfileCommands(configured: FirewallSuite | 'auto' | 'off', management: () => Promise<ManagementEndpoint[]>, log: (m: string) => void, stateDir?: string): Promise<ProfileCommands | null> {
  if (configured === 'off') return null;
  const suite = await detectProfileSuite(configured);
  if (!suite) {
    log('firewall profiles unavailable: none of ufw, firewalld, nft or iptables-restore runs here');
    return null;
  }
  try {
    return new ProfileCommands(PROFILE_FIREWALLS[suite](stateDir), management);
  } catch (e) {
    // A saved state that cannot be read: profiles stay off rather than guessing what was there.
    log(`firewall profiles unavailable: ${(e as Error).message}`);
    return null;
  }
}

export class ProfileCommands {
  readonly #fw: ProfileFirewall;
  readonly #management: () => Promise<ManagementEndpoint[]>;

  constructor(fw: ProfileFirewall, management: () => Promise<ManagementEndpoint[]>) {
    this.#fw = fw;
    this.#management = management;
  }

  async apply(params: Record<string, unknown>): Promise<ProfileOutcome> {
    const suite = params.suite;
    if (!isFirewallSuite(suite)) return { status: 'rejected', error: 'suite: not a firewall suite' };
    if (suite !== this.#fw.suite) return { status: 'rejected', error: `suite: this node applies ${this.#fw.suite} profiles, not ${suite}` };
    let rules;
    try {
      rules = checkRules(suite, Array.isArray(params.rules) ? params.rules : []);
    } catch (e) {
      if (e instanceof RuleSetError) return { status: 'rejected', error: e.message };
      throw e;
    }
    const allowlist = Array.isArray(params.allowlist) ? params.allowlist.map(String) : [];
    try {
      await this.#fw.apply(renderProfile(suite, { rules, management: await this.#management(), allowlist }));
    } catch (e) {
      // The profile firewall put the previous state back before throwing.
      return { status: 'failed', error: `${(e as Error).message}; the previous firewall state is back` };
    }
    return { status: 'applied', error: null, output: `${String(params.profile_id)}: ${rules.length} rules in ${suite}` };
  }

  async rollback(): Promise<ProfileOutcome> {
    try {
      await this.#fw.rollback();
      return { status: 'applied', error: null, output: 'the firewall is as it was before the profile' };
    } catch (e) {
      return { status: 'failed', error: (e as Error).message };
    }
  }
}
