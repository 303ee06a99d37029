// The server's Prometheus metrics: one registry per server (never prom-client's global one,
// so several servers in one process — tests — do not collide). Counters and histograms are
// fed by the HTTP hooks, the ingest and the outbox's deliveries; gauges that describe stored
// state (outbox, incidents, rules, adapters, nodes) are read from the database once per
// scrape. Labels carry route templates, states, kinds and ids — never names or addresses.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { MISNAMED_DEFAULT_METRICS, SEVERITIES } from '@breakwater/contracts';
import { opsStats, type Db } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import type { Deliver } from '../services/alerting/outbox.ts';
import type { IngestObservation } from '../services/metrics/ingest.ts';

export interface ServerMetricsDeps {
  db: Db;
  clock: Clock;
  version: string;
  /** A node is offline after this long without news (the server's offlineAfterSeconds). */
  offlineAfterSeconds: number;
}


const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

export function statusClass(code: number): string {
  return code >= 100 && code < 600 ? `${Math.floor(code / 100)}xx` : 'other';
}

export class ServerMetrics {
  readonly registry = new Registry();
  readonly #deps: ServerMetricsDeps;
  readonly #http: Counter<'route' | 'method' | 'status_class'>;
  readonly #httpSeconds: Histogram<'route' | 'method' | 'status_class'>;
  readonly #samples: Counter;
  readonly #flushSeconds: Histogram;
  readonly #lag: Histogram;
  readonly #deliveries: Counter<'channel_type' | 'outcome'>;
  readonly #deliverySeconds: Histogram<'channel_type' | 'outcome'>;
  readonly #dbUp: Gauge;
  readonly #outbox: Gauge<'status'>;
  readonly #outboxOldest: Gauge;
  readonly #incidents: Gauge<'severity'>;
  readonly #rules: Gauge<'status' | 'intent'>;
  readonly #adapterUp: Gauge<'adapter_id' | 'adapter_type'>;
  readonly #nodes: Gauge<'kind' | 'state'>;

  constructor(deps: ServerMetricsDeps) {
    this.#deps = deps;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    new Gauge({ name: 'breakwater_build_info', help: 'Breakwater server version (always 1).', labelNames: ['version'], registers }).set({ version: deps.version }, 1);
    this.#http = new Counter({ name: 'breakwater_http_requests_total', help: 'HTTP requests answered, by route template, method and status class.', labelNames: ['route', 'method', 'status_class'], registers });
    this.#httpSeconds = new Histogram({ name: 'breakwater_http_request_duration_seconds', help: 'Time to answer an HTTP request.', labelNames: ['route', 'method', 'status_class'], buckets: LATENCY_BUCKETS, registers });
    this.#samples = new Counter({ name: 'breakwater_ingest_samples_total', help: 'Metric samples committed by the ingest.', registers });
    this.#flushSeconds = new Histogram({ name: 'breakwater_ingest_flush_duration_seconds', help: 'Time to commit one ingest flush (group commit).', buckets: LATENCY_BUCKETS, registers });
    this.#lag = new Histogram({ name: 'breakwater_ingest_lag_seconds', help: 'Commit time minus the timestamp of the newest sample of each metrics request.', buckets: LAG_BUCKETS, registers });
    this.#deliveries = new Counter({ name: 'breakwater_notification_deliveries_total', help: 'Notification delivery attempts, by channel type and outcome.', labelNames: ['channel_type', 'outcome'], registers });
    this.#deliverySeconds = new Histogram({ name: 'breakwater_notification_delivery_duration_seconds', help: 'Time of one delivery attempt to a provider.', labelNames: ['channel_type', 'outcome'], buckets: DELIVERY_BUCKETS, registers });
    this.#dbUp = new Gauge({ name: 'breakwater_database_up', help: '1 when the last scrape could read the database, else 0.', registers });
    this.#outbox = new Gauge({ name: 'breakwater_outbox_messages', help: 'Notification outbox messages, by status.', labelNames: ['status'], registers });
    this.#outboxOldest = new Gauge({ name: 'breakwater_outbox_oldest_pending_age_seconds', help: 'Age of the oldest notification still waiting to be delivered (0 when none).', registers });
    this.#incidents = new Gauge({ name: 'breakwater_incidents_active', help: 'Active incidents, by severity.', labelNames: ['severity'], registers });
    this.#rules = new Gauge({ name: 'breakwater_mitigation_rules_active', help: 'Mitigation rules not yet withdrawn, by status and intent.', labelNames: ['status', 'intent'], registers });
    this.#adapterUp = new Gauge({ name: 'breakwater_adapter_up', help: '1 when the mitigation adapter was reachable at its last check or operation, else 0.', labelNames: ['adapter_id', 'adapter_type'], registers });
    this.#nodes = new Gauge({ name: 'breakwater_nodes', help: 'Registered nodes by kind, online (heard from within the offline delay) or offline.', labelNames: ['kind', 'state'], registers });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status_class: statusClass(status) };
    this.#http.inc(labels);
    this.#httpSeconds.observe(labels, seconds);
  }

  readonly observeIngest = (o: IngestObservation): void => {
    this.#samples.inc(o.rows);
    this.#flushSeconds.observe(o.seconds);
    for (const l of o.lagSeconds) this.#lag.observe(Math.max(0, l));
  };

  /** The outbox's deliver, timed and counted per channel type and outcome. */
  timeDeliveries(deliver: Deliver): Deliver {
    return async (channel, message, ctx) => {
      const t0 = performance.now();
      const result = await deliver(channel, message, ctx);
      const labels = { channel_type: channel.type, outcome: result.outcome };
      this.#deliveries.inc(labels);
      this.#deliverySeconds.observe(labels, (performance.now() - t0) / 1000);
      return result;
    };
  }

  /** The exposition text, with the stored-state gauges read now. */
  async render(): Promise<string> {
    await this.#readState();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async #readState(): Promise<void> {
    const { db, clock, offlineAfterSeconds } = this.#deps;
    const now = clock.now();
    try {
      const [outbox, incidents, rules, adapters, nodes] = await Promise.all([
        opsStats.outboxStats(db, now), opsStats.activeIncidentsBySeverity(db), opsStats.liveRules(db),
        opsStats.adapterHealth(db), opsStats.nodesSeen(db, now - offlineAfterSeconds * 1000),
      ]);
      // Reset first: a label set that is gone (a deleted adapter, a drained status) must not linger.
      for (const g of [this.#outbox, this.#incidents, this.#rules, this.#adapterUp, this.#nodes]) g.reset();
      for (const status of ['pending', 'delivered', 'failed', 'suppressed']) this.#outbox.set({ status }, outbox.byStatus[status] ?? 0);
      for (const [status, n] of Object.entries(outbox.byStatus)) this.#outbox.set({ status }, n);
      this.#outboxOldest.set(outbox.oldestPendingMs / 1000);
      for (const severity of SEVERITIES) this.#incidents.set({ severity }, incidents[severity] ?? 0);
      for (const [severity, n] of Object.entries(incidents)) this.#incidents.set({ severity }, n);
      for (const r of rules) this.#rules.set({ status: r.status, intent: r.intent }, r.n);
      for (const a of adapters) this.#adapterUp.set({ adapter_id: a.id, adapter_type: a.type }, a.up ? 1 : 0);
      for (const n of nodes) {
        this.#nodes.set({ kind: n.kind, state: 'online' }, n.online);
        this.#nodes.set({ kind: n.kind, state: 'offline' }, n.offline);
      }
      this.#dbUp.set(1);
    } catch {
      this.#dbUp.set(0);
    }
  }
}
