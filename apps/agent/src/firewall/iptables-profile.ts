// A profile in iptables/ip6tables: the chain BW-PROFILE in the filter table, jumped to first
// from INPUT, filled by one `iptables-restore --noflush` transaction per family (declaring the
// chain empties it). Before each apply the chain as it was is kept (its iptables-save lines, or
// absent); rollback restores exactly that, removing the chain, the jump and, with the nf_tables
// backend, a filter table the profile itself created — so iptables-save reads as before.
import { PROFILE_CHAIN } from '@breakwater/contracts/plain';
import type { RenderedProfile } from '@breakwater/firewall-profiles';
import { FirewallError } from './firewall-executor.ts';
import type { ProfileFirewall } from './profile-firewall.ts';
import { ProfileMemory } from './profile-memory.ts';
import { runTool } from './tool-run.ts';

type Family = 4 | 6;

interface ChainState {
  /** The filter table existed (iptables-save printed it). */
  table: boolean;
  /** The chain's `-A BW-PROFILE …` lines, or null when there was no chain. */
  lines: string[] | null;
}

export interface IptablesProfileOptions {
  iptablesRestore?: string;
  ip6tablesRestore?: string;
  iptablesSave?: string;
  ip6tablesSave?: string;
  /** Used only to drop a filter table the profile created, with the nf_tables backend. */
  nftPath?: string;
  /** Where the chains before are kept across agent restarts (in the spool dir). */
  stateFile?: string;
}

const JUMP = `-A INPUT -j ${PROFILE_CHAIN}`;

export class IptablesProfileFirewall implements ProfileFirewall {
  readonly suite = 'iptables' as const;
  readonly #restore: Record<Family, string>;
  readonly #save: Record<Family, string>;
  readonly #nft: string;
  readonly #previous: ProfileMemory<Record<Family, ChainState>>;

  constructor(o: IptablesProfileOptions = {}) {
    this.#restore = { 4: o.iptablesRestore ?? 'iptables-restore', 6: o.ip6tablesRestore ?? 'ip6tables-restore' };
    this.#save = { 4: o.iptablesSave ?? 'iptables-save', 6: o.ip6tablesSave ?? 'ip6tables-save' };
    this.#nft = o.nftPath ?? 'nft';
    this.#previous = new ProfileMemory<Record<Family, ChainState>>('iptables', o.stateFile);
  }

  async #state(f: Family): Promise<ChainState & { jump: boolean; nftBackend: boolean }> {
    const saved = await runTool(this.#save[f], ['-t', 'filter']);
    const lines = saved.split('\n');
    const nftBackend = /\(nf_tables\)/.test(lines[0] ?? '');
    // iptables-nft prints an empty filter table even when there is none: ask nft whether it exists.
    const table = nftBackend ? (await runTool(this.#nft, ['list', 'tables'])).split('\n').includes(`table ${f === 4 ? 'ip' : 'ip6'} filter`) : lines.includes('*filter');
    return {
      table,
      lines: lines.some((l) => l.startsWith(`:${PROFILE_CHAIN} `)) ? lines.filter((l) => l.startsWith(`-A ${PROFILE_CHAIN} `)) : null,
      jump: lines.includes(JUMP),
      nftBackend,
    };
  }

  async #restoreTo(f: Family, want: ChainState): Promise<void> {
    const now = await this.#state(f);
    if (want.lines !== null) {
      await runTool(this.#restore[f], ['-w', '5', '--noflush'], `*filter\n:${PROFILE_CHAIN} - [0:0]\n${[...want.lines, ...(now.jump ? [] : [`-I INPUT 1 -j ${PROFILE_CHAIN}`])].join('\n')}\nCOMMIT\n`);
      return;
    }
    if (now.lines !== null) {
      await runTool(this.#restore[f], ['-w', '5', '--noflush'], `*filter\n${now.jump ? `-D INPUT -j ${PROFILE_CHAIN}\n` : ''}:${PROFILE_CHAIN} - [0:0]\n-X ${PROFILE_CHAIN}\nCOMMIT\n`);
    }
    // A filter table that only the profile made: with iptables-nft it stays (empty base chains)
    // unless deleted as the nftables table it is.
    if (!want.table && now.nftBackend) {
      const after = await runTool(this.#save[f], ['-t', 'filter']);
      const onlyEmpty = after.split('\n').every((l) => !l.startsWith('-A ') && !(l.startsWith(':') && !/^:(INPUT|FORWARD|OUTPUT) ACCEPT /.test(l)));
      if (onlyEmpty) await runTool(this.#nft, ['delete', 'table', f === 4 ? 'ip' : 'ip6', 'filter']).catch(() => undefined);
    }
  }

  async apply(profile: RenderedProfile): Promise<void> {
    if (profile.suite !== 'iptables' || !profile.script.v4 || !profile.script.v6) throw new FirewallError(`suite: this node applies iptables profiles, not ${profile.suite}`);
    const before = { 4: await this.#state(4), 6: await this.#state(6) };
    const done: Family[] = [];
    try {
      for (const f of [4, 6] as const) {
        const script = f === 4 ? profile.script.v4 : profile.script.v6;
        const jump = before[f].jump ? '' : `-I INPUT 1 -j ${PROFILE_CHAIN}\n`;
        await runTool(this.#restore[f], ['-w', '5', '--noflush'], script.replace(/\nCOMMIT\n$/, `\n${jump}COMMIT\n`));
        done.push(f);
      }
    } catch (e) {
      // One family went in, the other did not: the first goes back, so the node is as it was.
      for (const f of done) await this.#restoreTo(f, before[f]);
      throw e;
    }
    this.#previous.push({ 4: { table: before[4].table, lines: before[4].lines }, 6: { table: before[6].table, lines: before[6].lines } });
  }

  async rollback(): Promise<void> {
    const before = this.#previous.top();
    if (!before) return;
    for (const f of [4, 6] as const) await this.#restoreTo(f, before[f]);
    this.#previous.pop();
  }

  async listing(): Promise<string> {
    const out: string[] = [];
    for (const f of [4, 6] as const) {
      const s = await this.#state(f);
      if (s.lines) out.push(`# ipv${f}`, ...(s.jump ? [JUMP] : []), ...s.lines);
    }
    return out.join('\n');
  }
}
