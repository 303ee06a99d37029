// A periodic pass that never overlaps itself: the next one is scheduled `intervalMs` after the
// previous one ended, the first at once. stop() waits for a pass in progress. The mitigation and
// scrubbing timers run on it.
export class TickLoop {
  readonly #tick: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #stopped = true;

  constructor(tick: () => Promise<void>, intervalMs: number, onError: (err: unknown) => void) {
    this.#tick = tick;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const loop = () => {
      if (this.#stopped) return;
      this.#ticking = this.#tick().catch(this.#onError).finally(() => {
        this.#ticking = null;
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#intervalMs);
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#ticking;
  }
}
