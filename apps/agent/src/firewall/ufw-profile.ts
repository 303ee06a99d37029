// A profile in ufw: the rendered commands (management path, allowlist, then the profile's rules)
// are run one by one as ufw argv (never a shell), then ufw is enabled if it was not. ufw keeps
// its whole state in a few files (user.rules, user6.rules, ufw.conf and /etc/default/ufw for
// the default policies): before each apply their bytes are kept, and rollback (or a failed
// apply) writes them back and reloads, disables or enables ufw as it was. A second profile
// replaces the first: it starts from the files as they were before the first profile.
import type { RenderedProfile } from '@breakwater/firewall-profiles';
import { restoreFiles, snapshotFiles, type FileSnapshot } from './file-snapshot.ts';
import { FirewallError } from './firewall-executor.ts';
import type { ProfileFirewall } from './profile-firewall.ts';
import { ProfileMemory } from './profile-memory.ts';
import { runTool } from './tool-run.ts';

export interface UfwProfileOptions {
  ufwPath?: string;
  /** ufw's own directory (user.rules, user6.rules, ufw.conf). */
  ufwDir?: string;
  /** The file holding ufw's default policies. */
  defaultsFile?: string;
  /** Where the state before each apply is kept across agent restarts (the spool dir's file). */
  stateFile?: string;
}

interface UfwState {
  active: boolean;
  files: FileSnapshot;
}

const SLOW = 120_000;

export class UfwProfileFirewall implements ProfileFirewall {
  readonly suite = 'ufw' as const;
  readonly #ufw: string;
  readonly #files: string[];
  readonly #previous: ProfileMemory<UfwState>;

  constructor(o: UfwProfileOptions = {}) {
    this.#ufw = o.ufwPath ?? 'ufw';
    const dir = (o.ufwDir ?? '/etc/ufw').replace(/\/+$/, '');
    this.#files = [`${dir}/user.rules`, `${dir}/user6.rules`, `${dir}/ufw.conf`, o.defaultsFile ?? '/etc/default/ufw'];
    this.#previous = new ProfileMemory<UfwState>('ufw', o.stateFile);
  }

  async #active(): Promise<boolean> {
    return /^Status: active$/m.test(await runTool(this.#ufw, ['status'], undefined, SLOW));
  }

  async #state(): Promise<UfwState> {
    return { active: await this.#active(), files: snapshotFiles(this.#files) };
  }

  /** The files back byte for byte, and ufw running (with them) or stopped as it was. */
  async #restoreTo(want: UfwState): Promise<void> {
    const active = await this.#active();
    if (active && !want.active) await runTool(this.#ufw, ['--force', 'disable'], undefined, SLOW);
    restoreFiles(want.files);
    if (want.active) await runTool(this.#ufw, active ? ['reload'] : ['--force', 'enable'], undefined, SLOW);
    // enable/disable rewrite ufw.conf: the bytes as they were win.
    restoreFiles(want.files);
  }

  async apply(profile: RenderedProfile): Promise<void> {
    if (profile.suite !== 'ufw') throw new FirewallError(`suite: this node applies ufw profiles, not ${profile.suite}`);
    const before = await this.#state();
    const base = this.#previous.size > 0 ? this.#bottom() : null;
    try {
      if (base) await this.#restoreTo(base);
      for (const argv of profile.commands) await runTool(this.#ufw, argv, undefined, SLOW);
      if (!(await this.#active())) await runTool(this.#ufw, ['--force', 'enable'], undefined, SLOW);
    } catch (e) {
      await this.#restoreTo(before);
      throw e;
    }
    this.#previous.push(before);
  }

  #bottom(): UfwState {
    return this.#previous.all()[0]!;
  }

  async rollback(): Promise<void> {
    const before = this.#previous.top();
    if (!before) return;
    await this.#restoreTo(before);
    this.#previous.pop();
  }

  async listing(): Promise<string> {
    return runTool(this.#ufw, ['status', 'verbose'], undefined, SLOW);
  }
}
