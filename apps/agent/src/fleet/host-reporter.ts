// Every 30 s the agent tells the fleet API about its host (POST /api/agents/{id}/report):
// hostname, OS, version, CPU, memory, disk, uptime, load. A failed report is not retried: the
// next one replaces it.
import { hostname } from 'node:os';
import { HostMetrics, osName } from './host-metrics.ts';

export interface HostReporterOptions {
  serverUrl: string;
  nodeUuid: string;
  apiKey: string;
  version: string;
  intervalMs?: number;
}

export interface HostReporterDeps {
  fetch?: typeof fetch;
  metrics?: HostMetrics;
  log?: (msg: string) => void;
  /** Heard from the server (for the failsafe's notion of contact). */
  onContact?: () => void;
}

export class HostReporter {
  readonly #o: HostReporterOptions & { intervalMs: number };
  readonly #d: HostReporterDeps;
  readonly #metrics: HostMetrics;
  #timer: NodeJS.Timeout | null = null;
  #failing = false;
  /** Reports the server accepted (for status and tests). */
  sent = 0;

  constructor(o: HostReporterOptions, d: HostReporterDeps = {}) {
    this.#o = { ...o, intervalMs: o.intervalMs ?? 30_000 };
    this.#d = d;
    this.#metrics = d.metrics ?? new HostMetrics();
  }

  start(): void {
    void this.report();
    this.#timer = setInterval(() => void this.report(), this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async report(): Promise<boolean> {
    const url = `${this.#o.serverUrl.replace(/\/+$/, '')}/api/agents/${this.#o.nodeUuid}/report`;
    try {
      const body = { hostname: hostname().slice(0, 253) || undefined, os: (await osName()) ?? undefined, version: this.#o.version, ...(await this.#metrics.sample()) };
      const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined));
      const res = await (this.#d.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#o.apiKey}`, 'x-node-uuid': this.#o.nodeUuid, 'content-type': 'application/json', 'user-agent': `breakwater-agent/${this.#o.version}` },
        body: JSON.stringify(clean),
        signal: AbortSignal.timeout(10_000),
      });
      await res.text();
      if (res.status < 500) this.#d.onContact?.();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.sent++;
      if (this.#failing) this.#d.log?.('host report accepted again');
      this.#failing = false;
      return true;
    } catch (err) {
      if (!this.#failing) this.#d.log?.(`host report failed: ${(err as Error).message}`);
      this.#failing = true;
      return false;
    }
  }
}
