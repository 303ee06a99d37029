// A CaptureSource that delivers packets a test hands it, stamped with the time they are
// played: the agent runs on it with no root, no tcpdump and no interface. It keeps the
// snaplen and the exclusions' shape as tcpdump would (excluded traffic is not filtered: tests
// do not send any).
import { buildPcap, readCaptureBuffer } from '@breakwater/packets';
import type { CaptureHandlers, CaptureSource, CaptureSourceOptions, CaptureStats } from '../capture/capture-source.ts';

export interface ReplaySourceOptions extends CaptureSourceOptions {
  /** Link type of the frames played (1: Ethernet). */
  linktype?: number;
}

export class ReplaySource implements CaptureSource {
  readonly options: Readonly<ReplaySourceOptions>;
  readonly #h: CaptureHandlers;
  readonly #now: () => number;
  #running = false;
  #captured = 0;

  constructor(o: ReplaySourceOptions, h: CaptureHandlers, now: () => number = Date.now) {
    this.options = o;
    this.#h = h;
    this.#now = now;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    this.#running = true;
  }

  /** Delivers the frames as captured now (none while stopped); returns how many it delivered. */
  play(frames: readonly Uint8Array[]): number {
    if (!this.#running || frames.length === 0) return 0;
    const ts = this.#now();
    const bytes = buildPcap({ linktype: this.options.linktype ?? 1, snaplen: this.options.snaplen ?? 65_535 }, frames.map((data) => ({ tsMs: ts, data })));
    let n = 0;
    for (const rec of readCaptureBuffer(bytes)) {
      this.#h.onRecord(rec);
      n++;
    }
    this.#captured += n;
    return n;
  }

  async stats(): Promise<CaptureStats | null> {
    return this.#running ? this.#counts() : null;
  }

  async stop(): Promise<CaptureStats> {
    this.#running = false;
    return this.#counts();
  }

  #counts(): CaptureStats {
    return { captured: this.#captured, received: this.#captured, kernelDrops: 0, inFlight: 0, read: this.#captured };
  }
}
