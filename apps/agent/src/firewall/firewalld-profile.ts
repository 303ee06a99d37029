// A profile in firewalld: the zone `bw-profile`, replaced whole (deleted if there, created, then
// the rendered changes: management path, allowlist, the profile's rules). Where firewalld runs
// (`firewall-cmd --state`), the changes are permanent ones through firewall-cmd followed by one
// --reload, so the runtime takes the zone at once; where no daemon runs, firewall-offline-cmd
// writes the same permanent configuration. Before each apply the zone's file (and the .old
// backup firewalld leaves beside it) are kept byte for byte; rollback (or a failed apply) puts
// them back, or removes them where there were none, and reloads a running daemon.
import { FIREWALLD_ZONE, type RenderedProfile } from '@breakwater/firewall-profiles';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { filesIn, restoreFiles, snapshotFiles, type FileSnapshot } from './file-snapshot.ts';
import { FirewallError } from './firewall-executor.ts';
import type { ProfileFirewall } from './profile-firewall.ts';
import { ProfileMemory } from './profile-memory.ts';
import { runTool } from './tool-run.ts';

export interface FirewalldProfileOptions {
  firewallCmd?: string;
  offlineCmd?: string;
  /** firewalld's configuration directory (zones/ below it). */
  configDir?: string;
  /** firewalld's shipped zones, which firewall-offline-cmd copies into configDir as it goes. */
  defaultZonesDir?: string;
  /** daemon: firewall-cmd --permanent + --reload; offline: firewall-offline-cmd; auto: daemon when `firewall-cmd --state` says running. */
  mode?: 'auto' | 'daemon' | 'offline';
  stateFile?: string;
}

const SLOW = 120_000;

/** The zone's file and its backup, byte for byte, and which files the zones dir held. */
interface ZoneState {
  files: FileSnapshot;
  names: string[];
}

export class FirewalldProfileFirewall implements ProfileFirewall {
  readonly suite = 'firewalld' as const;
  readonly #cmd: string;
  readonly #offline: string;
  readonly #zonesDir: string;
  readonly #defaultZones: string;
  readonly #zoneFile: string;
  readonly #mode: 'auto' | 'daemon' | 'offline';
  readonly #previous: ProfileMemory<ZoneState>;

  constructor(o: FirewalldProfileOptions = {}) {
    this.#cmd = o.firewallCmd ?? 'firewall-cmd';
    this.#offline = o.offlineCmd ?? 'firewall-offline-cmd';
    this.#zonesDir = `${(o.configDir ?? '/etc/firewalld').replace(/\/+$/, '')}/zones`;
    this.#zoneFile = `${this.#zonesDir}/${FIREWALLD_ZONE}.xml`;
    this.#defaultZones = o.defaultZonesDir ?? '/usr/lib/firewalld/zones';
    this.#mode = o.mode ?? 'auto';
    this.#previous = new ProfileMemory<ZoneState>('firewalld', o.stateFile);
  }

  async #daemon(): Promise<boolean> {
    if (this.#mode !== 'auto') return this.#mode === 'daemon';
    return runTool(this.#cmd, ['--state']).then(() => true, () => false);
  }

  /** One permanent change: firewall-cmd with --permanent, or firewall-offline-cmd (which takes none). */
  async #run(daemon: boolean, argv: readonly string[]): Promise<void> {
    if (daemon) await runTool(this.#cmd, argv.includes('--permanent') ? argv : ['--permanent', ...argv], undefined, SLOW);
    else await runTool(this.#offline, argv.filter((w) => w !== '--permanent'), undefined, SLOW);
  }

  #snapshot(): ZoneState {
    return { files: snapshotFiles([this.#zoneFile, `${this.#zoneFile}.old`]), names: filesIn(this.#zonesDir) };
  }

  /**
   * The zone file back byte for byte. What firewalld wrote of other zones meanwhile is removed
   * only where it changes nothing: a `.old` backup, or a copy of a shipped zone identical to it.
   */
  async #restoreTo(daemon: boolean, want: ZoneState): Promise<void> {
    restoreFiles(want.files);
    for (const name of filesIn(this.#zonesDir)) {
      const path = `${this.#zonesDir}/${name}`;
      if (want.names.includes(name) || path in want.files) continue;
      const shipped = `${this.#defaultZones}/${name}`;
      if (name.endsWith('.old') || (existsSync(shipped) && readFileSync(shipped).equals(readFileSync(path)))) rmSync(path, { force: true });
    }
    if (daemon) await runTool(this.#cmd, ['--reload'], undefined, SLOW);
  }

  async apply(profile: RenderedProfile): Promise<void> {
    if (profile.suite !== 'firewalld') throw new FirewallError(`suite: this node applies firewalld profiles, not ${profile.suite}`);
    const daemon = await this.#daemon();
    const before = this.#snapshot();
    try {
      if (existsSync(this.#zoneFile)) await this.#run(daemon, [`--delete-zone=${FIREWALLD_ZONE}`]);
      await this.#run(daemon, [`--new-zone=${FIREWALLD_ZONE}`]);
      for (const argv of profile.commands) await this.#run(daemon, argv);
      if (daemon) await runTool(this.#cmd, ['--reload'], undefined, SLOW);
      else await runTool(this.#offline, ['--check-config'], undefined, SLOW);
    } catch (e) {
      await this.#restoreTo(daemon, before);
      throw e;
    }
    this.#previous.push(before);
  }

  async rollback(): Promise<void> {
    const before = this.#previous.top();
    if (!before) return;
    await this.#restoreTo(await this.#daemon(), before);
    this.#previous.pop();
  }

  async listing(): Promise<string> {
    const daemon = await this.#daemon();
    if (!existsSync(this.#zoneFile)) return '';
    return daemon ? runTool(this.#cmd, ['--permanent', `--zone=${FIREWALLD_ZONE}`, '--list-all']) : runTool(this.#offline, [`--zone=${FIREWALLD_ZONE}`, '--list-all']);
  }
}
