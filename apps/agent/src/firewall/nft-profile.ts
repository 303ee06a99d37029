// A profile in nftables: the table `inet bw_profile`, replaced in one `nft -f` transaction (the
// script deletes and recreates the table, so a failed apply changes nothing). Before each apply
// the table as it was is kept (its `nft list table` text, or nothing), and rollback loads it back.
import { PROFILE_TABLE } from '@breakwater/contracts/plain';
import type { RenderedProfile } from '@breakwater/firewall-profiles';
import { FirewallError } from './firewall-executor.ts';
import type { ProfileFirewall } from './profile-firewall.ts';
import { ProfileMemory } from './profile-memory.ts';
import { runTool } from './tool-run.ts';

export class NftProfileFirewall implements ProfileFirewall {
  readonly suite = 'nftables' as const;
  readonly #nft: string;
  /** The table before each apply not yet rolled back (null: there was none). */
  readonly #previous: ProfileMemory<string | null>;

  /** stateFile: where the tables before are kept across agent restarts (in the spool dir). */
  constructor(o: { nftPath?: string; stateFile?: string } = {}) {
    this.#nft = o.nftPath ?? 'nft';
    this.#previous = new ProfileMemory<string | null>('nftables', o.stateFile);
  }

  async #current(): Promise<string | null> {
    const all = await runTool(this.#nft, ['list', 'tables']);
    if (!all.split('\n').includes(`table inet ${PROFILE_TABLE}`)) return null;
    return runTool(this.#nft, ['list', 'table', 'inet', PROFILE_TABLE]);
  }

  async apply(profile: RenderedProfile): Promise<void> {
    if (profile.suite !== 'nftables' || !profile.script.nft) throw new FirewallError(`suite: this node applies nftables profiles, not ${profile.suite}`);
    const before = await this.#current();
    await runTool(this.#nft, ['-f', '-'], profile.script.nft);
    this.#previous.push(before);
  }

  async rollback(): Promise<void> {
    if (this.#previous.size === 0) return;
    const before = this.#previous.top()!;
    const reset = `table inet ${PROFILE_TABLE} {}\ndelete table inet ${PROFILE_TABLE}\n`;
    await runTool(this.#nft, ['-f', '-'], before === null ? reset : `${reset}${before}`);
    this.#previous.pop();
  }

  async listing(): Promise<string> {
    return (await this.#current()) ?? '';
  }
}
