// What a reporting process's Prometheus metrics (the agent's, the collector's) share: one registry
// with Node's default metrics (without the ones prom-client misnames), a build_info gauge, and the
// local endpoint that renders it at each scrape. Each process adds its own metrics to `registers`.
// A subpath of its own (@breakwater/uplink/process-metrics), not the index: prom-client loads ~80
// modules, which the agent loads only when its metrics are served (metrics_listen).
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { MISNAMED_DEFAULT_METRICS } from '@breakwater/contracts/plain';
import { MetricsEndpoint } from './metrics-endpoint.ts';

/** Seconds one tick of detection may take, as both processes' tick histograms bucket it. */
export const TICK_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

export interface ProcessMetricsConfig {
  /** The metric names' program part: breakwater_<program>_build_info. */
  program: 'agent' | 'collector';
  /** metrics_listen: "ADDR:PORT", or undefined for no endpoint. */
  listen: string | undefined;
  version: string;
}

/** A process's metrics extend this: they register with `registers` and may override refresh(). */
export class ProcessMetrics {
  readonly registry = new Registry();
  /** What each of the process's own metrics registers with. */
  readonly registers = [this.registry];
  readonly #endpoint: MetricsEndpoint | null;

  constructor(config: ProcessMetricsConfig, log?: (m: string) => void) {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    new Gauge({ name: `breakwater_${config.program}_build_info`, help: `Breakwater ${config.program} version (always 1).`, labelNames: ['version'], registers: this.registers })
      .set({ version: config.version }, 1);
    this.#endpoint = config.listen === undefined ? null : new MetricsEndpoint({ listen: config.listen }, { render: () => this.render(), log });
  }

  /** Brings what is read from the process's state up to date, just before a scrape is rendered. */
  protected async refresh(): Promise<void> {}

  async render(): Promise<{ contentType: string; body: string }> {
    await this.refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The endpoint's URL once started (null when metrics_listen is not set). */
  get url(): string | null {
    return this.#endpoint?.url ?? null;
  }

  async start(): Promise<void> {
    await this.#endpoint?.start();
  }

  async stop(): Promise<void> {
    await this.#endpoint?.stop();
  }
}
