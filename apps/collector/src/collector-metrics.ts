// The collector's Prometheus metrics, served on its own local port when `metrics_listen` is
// set. Everything is read from the collector's own counts at each scrape (the datagram and
// record paths only add to plain numbers). Exporter addresses are not labels (they come and go,
// and are the operator's infrastructure): the per-exporter detail is in GET /api/v1/collectors.
import { Counter, Gauge, Histogram } from 'prom-client';
import { FLOW_DECODE_ERRORS, type FlowDecodeError, type FlowExporterStatus } from '@breakwater/contracts';
import { ProcessMetrics, TICK_BUCKETS } from '@breakwater/uplink/process-metrics';

/** What the collector holds, read at scrape time. */
export interface CollectorState {
  /** Datagrams received per listener, and records decoded (plain counts: the hot path stays cheap). */
  datagrams: () => Record<string, number>;
  records: () => number;
  exporters: () => FlowExporterStatus[];
  queue: () => { size: number; dropped: number };
  /** Kernel drops of each listening socket (cumulative). */
  socketDrops: () => number;
  notAllowed: () => number;
  spool: () => { records: number; bytes: number; dropped: number };
  hosts: () => number;
}

export class CollectorMetrics extends ProcessMetrics {
  readonly #datagrams: Counter<'listener'>;
  readonly #records: Counter;
  readonly #tick: Histogram;
  readonly #decodeErrors: Counter<'reason'>;
  // Exporters' error counts are cumulative per exporter, and an exporter the decoder forgets
  // takes its counts along: the counter grows by each exporter's increase since the last scrape.
  readonly #lastErrors = new Map<string, Record<FlowDecodeError, number>>();
  readonly #state: CollectorState;
  readonly #dropped: Counter<'reason'>;
  readonly #spoolDropped: Counter;

  constructor(config: { listen: string | undefined; version: string }, state: CollectorState, log?: (m: string) => void) {
    super({ program: 'collector', ...config }, log);
    const registers = this.registers;
    this.#datagrams = new Counter({ name: 'breakwater_collector_datagrams_received_total', help: 'Flow datagrams received, by listener (netflow, ipfix, sflow).', labelNames: ['listener'], registers });
    this.#records = new Counter({ name: 'breakwater_collector_flow_records_total', help: 'Flow records decoded.', registers });
    this.#tick = new Histogram({ name: 'breakwater_collector_tick_duration_seconds', help: 'Time to run detection over every protected host for one tick.', buckets: TICK_BUCKETS, registers });
    this.#decodeErrors = new Counter({ name: 'breakwater_collector_decode_errors_total', help: 'Datagrams or sets the decoder could not read, by reason.', labelNames: ['reason'], registers });
    for (const reason of FLOW_DECODE_ERRORS) this.#decodeErrors.inc({ reason }, 0);
    const dropped = new Counter({ name: 'breakwater_collector_datagrams_dropped_total', help: 'Datagrams dropped: by the kernel (socket), the full queue (queue), or from exporters not allowed (not_allowed).', labelNames: ['reason'], registers });
    for (const reason of ['socket', 'queue', 'not_allowed']) dropped.inc({ reason }, 0);
    new Gauge({ name: 'breakwater_collector_queue_datagrams', help: 'Datagrams waiting between the sockets and the decoder.', registers, collect() { this.set(state.queue().size); } });
    new Gauge({ name: 'breakwater_collector_exporters', help: 'Exporters the decoder holds state for.', registers, collect() { this.set(state.exporters().length); } });
    new Gauge({ name: 'breakwater_collector_protected_hosts', help: 'Protected addresses with a detection engine (traffic seen).', registers, collect() { this.set(state.hosts()); } });
    new Gauge({ name: 'breakwater_collector_spool_records', help: 'Reports waiting in the on-disk spool for the server.', registers, collect() { this.set(state.spool().records); } });
    new Gauge({ name: 'breakwater_collector_spool_bytes', help: 'Bytes the on-disk spool takes.', registers, collect() { this.set(state.spool().bytes); } });
    this.#state = state;
    this.#dropped = dropped;
    this.#spoolDropped = new Counter({ name: 'breakwater_collector_spool_dropped_total', help: 'Reports dropped to keep the spool within its bound.', registers });
  }

  observeTick(seconds: number): void {
    this.#tick.observe(seconds);
  }

  /** Brings the counters read from state up to date, before a scrape is rendered. */
  protected override async refresh(): Promise<void> {
    const s = this.#state;
    const seen = new Set<string>();
    for (const e of s.exporters()) {
      seen.add(e.exporter);
      const before = this.#lastErrors.get(e.exporter);
      for (const reason of FLOW_DECODE_ERRORS) {
        const d = (e.decodeErrors[reason] ?? 0) - (before?.[reason] ?? 0);
        if (d > 0) this.#decodeErrors.inc({ reason }, d);
      }
      this.#lastErrors.set(e.exporter, { ...e.decodeErrors });
    }
    for (const k of this.#lastErrors.keys()) if (!seen.has(k)) this.#lastErrors.delete(k);
    for (const [listener, n] of Object.entries(s.datagrams())) await setCumulative(this.#datagrams, { listener }, n);
    await setCumulative(this.#records, {}, s.records());
    await setCumulative(this.#dropped, { reason: 'socket' }, s.socketDrops());
    await setCumulative(this.#dropped, { reason: 'queue' }, s.queue().dropped);
    await setCumulative(this.#dropped, { reason: 'not_allowed' }, s.notAllowed());
    await setCumulative(this.#spoolDropped, {}, s.spool().dropped);
  }
}

/** A counter that mirrors a cumulative count kept elsewhere (never goes down). */
async function setCumulative<L extends string>(c: Counter<L>, labels: Partial<Record<L, string>>, total: number): Promise<void> {
  const want = Object.entries(labels);
  const cur = (await c.get()).values.find((v) => want.every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value ?? 0;
  if (total > cur) c.inc(labels, total - cur);
}
