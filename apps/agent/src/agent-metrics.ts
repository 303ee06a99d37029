// The agent's Prometheus metrics, served on its own local port when `metrics_listen` is set
// (off by default; agent.ts loads this module, and prom-client, only then). One registry per
// agent; what the agent counts (ticks, incidents) is fed in, what it holds (spool, capture
// counters, stream state) is read at each scrape.
import { Counter, Gauge, Histogram } from 'prom-client';
import { ProcessMetrics, TICK_BUCKETS } from '@breakwater/uplink/process-metrics';
import type { CaptureStats } from './capture/capture-source.ts';

/** What the agent holds, read at scrape time. */
export interface AgentState {
  capture: () => Promise<CaptureStats | null>;
  spool: () => { records: number; bytes: number; dropped: number };
  sampleRate: () => number;
  streamConnected: () => boolean;
  /** When the server last answered (ms since the epoch), or null. */
  lastContact: () => number | null;
  now: () => number;
}

export class AgentMetrics extends ProcessMetrics {
  readonly #state: AgentState;
  readonly #tick: Histogram;
  readonly #incidents: Counter;
  #capture: CaptureStats | null = null;

  constructor(config: { listen: string | undefined; version: string }, state: AgentState, log?: (m: string) => void) {
    super({ program: 'agent', ...config }, log);
    this.#state = state;
    const registers = this.registers;
    this.#tick = new Histogram({ name: 'breakwater_agent_tick_duration_seconds', help: 'Time to process one 100 ms tick (detection, metrics, capture ring).', buckets: TICK_BUCKETS, registers });
    this.#incidents = new Counter({ name: 'breakwater_agent_incidents_opened_total', help: 'Incidents this agent opened since it started.', registers });
    const capture = () => this.#capture;
    const counterOf = (name: string, help: string, value: () => number | null) =>
      new Counter({
        name, help, registers,
        collect() {
          const v = value();
          this.reset();
          if (v !== null) this.inc(v);
        },
      });
    new Gauge({ name: 'breakwater_agent_capture_up', help: '1 when the packet capture reports its counters, else 0.', registers, collect() { this.set(capture() ? 1 : 0); } });
    counterOf('breakwater_agent_capture_packets_total', 'Packets the capture handed to the agent.', () => capture()?.captured ?? null);
    counterOf('breakwater_agent_capture_kernel_drops_total', 'Packets the kernel dropped before the capture could read them.', () => capture()?.kernelDrops ?? null);
    new Gauge({ name: 'breakwater_agent_spool_records', help: 'Reports waiting in the on-disk spool for the server.', registers, collect() { this.set(state.spool().records); } });
    new Gauge({ name: 'breakwater_agent_spool_bytes', help: 'Bytes the on-disk spool takes.', registers, collect() { this.set(state.spool().bytes); } });
    counterOf('breakwater_agent_spool_dropped_total', 'Reports dropped to keep the spool within its bound.', () => state.spool().dropped);
    new Gauge({ name: 'breakwater_agent_decode_sample_rate', help: 'Packets decoded: 1 in this many (1 = every packet).', registers, collect() { this.set(state.sampleRate()); } });
    new Gauge({ name: 'breakwater_agent_command_stream_connected', help: '1 while the command WebSocket to the server is up.', registers, collect() { this.set(state.streamConnected() ? 1 : 0); } });
    new Gauge({
      name: 'breakwater_agent_server_contact_age_seconds', help: 'Time since the server last answered (-1 when it never has).', registers,
      collect() {
        const at = state.lastContact();
        this.set(at === null ? -1 : Math.max(0, (state.now() - at) / 1000));
      },
    });
  }

  observeTick(seconds: number): void {
    this.#tick.observe(seconds);
  }

  incidentOpened(): void {
    this.#incidents.inc();
  }

  /** The capture counters are read once per scrape, before the metrics are collected. */
  protected override async refresh(): Promise<void> {
    this.#capture = await this.#state.capture().catch(() => null);
  }
}
