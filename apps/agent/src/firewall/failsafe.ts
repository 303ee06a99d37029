// The dead-man switch: every firewall rule the agent applied is taken back once the server has
// not been reached for longer than failsafe_release_seconds. A rule that cut the agent off from
// its server (or a server that is gone) must not leave the node blocking traffic on its own
// judgement for days; the server sends the rules again if they are still wanted.

export interface FailsafeOptions {
  releaseAfterMs: number;
  /** How often the silence is measured; at most a fifth of releaseAfterMs. */
  checkMs?: number;
}

export interface FailsafeDeps {
  now: () => number;
  /** When the server was last reached (any answer, a pushed command). */
  lastContact: () => number;
  /** Rules currently applied. */
  active: () => number;
  /** Takes every rule back; resolves with how many were removed. */
  release: (why: string) => Promise<number>;
  log: (msg: string) => void;
}

export class Failsafe {
  readonly #o: Required<FailsafeOptions>;
  readonly #d: FailsafeDeps;
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<unknown> | null = null;

  constructor(o: FailsafeOptions, d: FailsafeDeps) {
    this.#o = { checkMs: Math.max(100, Math.min(1000, Math.floor(o.releaseAfterMs / 5))), ...o };
    this.#d = d;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#checking ??= this.check().finally(() => (this.#checking = null));
    }, this.#o.checkMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#checking;
  }

  /** Releases every rule when the server has been silent too long; true when it did. */
  async check(): Promise<boolean> {
    const silentMs = this.#d.now() - this.#d.lastContact();
    if (silentMs <= this.#o.releaseAfterMs || this.#d.active() === 0) return false;
    const why = `failsafe: the server has not been reached for ${Math.round(silentMs / 1000)} s (failsafe_release_seconds ${Math.round(this.#o.releaseAfterMs / 1000)})`;
    const n = await this.#d.release(why);
    this.#d.log(`${why}: took back ${n} firewall rule${n === 1 ? '' : 's'}`);
    return true;
  }
}
