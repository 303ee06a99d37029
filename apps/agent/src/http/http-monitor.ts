// The agent's HTTP watch: tails the access logs, reads the socket table, turns both into HTTP
// ticks, and feeds them to the detection engine's HTTP side. Its incident events go out the same
// way as the packet engine's (onEvents). create does no I/O; start()/stop().
import type { HttpLogCounters, HttpTick } from '@breakwater/contracts';
import { createHttpFloodEngine, type DetectionEvent, type HttpFloodEngine } from '@breakwater/detection';
import { LOG_PARSERS, type LogLineParser } from './formats/index.ts';
import { HttpAggregator } from './http-aggregator.ts';
import type { HttpAgentConfig } from './http-config.ts';
import { emptyLogCounters, LogTailer } from './log-tailer.ts';
import { SocketTable } from './socket-table.ts';

export interface HttpMonitorDeps {
  now: () => number;
  log: (msg: string) => void;
  onEvents: (events: DetectionEvent[]) => void;
  target?: string;
  /** Socket table files (tests); the kernel's by default. */
  socketFiles?: readonly string[];
}

export class HttpMonitor {
  readonly engine: HttpFloodEngine;
  readonly #c: HttpAgentConfig;
  readonly #d: HttpMonitorDeps;
  readonly #tailers: { tailer: LogTailer; parse: LogLineParser }[];
  readonly #agg: HttpAggregator;
  readonly #sockets: SocketTable | null;
  #connections: HttpTick['connections'] = null;
  #timer: NodeJS.Timeout | null = null;
  #socketTimer: NodeJS.Timeout | null = null;
  #last = 0;

  constructor(config: HttpAgentConfig, deps: HttpMonitorDeps) {
    this.#c = config;
    this.#d = deps;
    this.engine = createHttpFloodEngine(config.engine, { ...(deps.target !== undefined ? { target: deps.target } : {}), idPrefix: 'http-' });
    const listSize = Math.max(config.engine.topN, 20);
    this.#agg = new HttpAggregator({ maxKeys: config.max_keys, listSize, loginPaths: config.login_paths, recentQueries: 16_384 });
    this.#tailers = config.logs.map((l) => {
      const parse = LOG_PARSERS[l.format](l.format === 'custom' ? { fields: l.fields ?? [], separator: l.separator ?? 'space' } : undefined);
      const tailer = new LogTailer({ path: l.path, maxLineBytes: config.max_line_bytes }, (line) => {
        let rec = null;
        try {
          rec = parse(line);
        } catch {
          rec = null;
        }
        if (rec) {
          tailer.counters.parsed++;
          this.#agg.add(rec);
        } else tailer.counters.unparsed++;
      });
      return { tailer, parse };
    });
    this.#sockets = config.ports.length > 0 ? new SocketTable({ ports: config.ports, maxKeys: config.max_keys, listSize, ...(deps.socketFiles ? { files: deps.socketFiles } : {}) }) : null;
  }

  start(): void {
    for (const t of this.#tailers) t.tailer.start();
    this.#last = this.#d.now();
    this.#timer = setInterval(() => this.tick(), this.#c.tick_ms);
    if (this.#sockets) {
      const read = () => void this.#sockets!.read().then((c) => (this.#connections = c), (e: Error) => this.#d.log(`http: socket table: ${e.message}`));
      read();
      this.#socketTimer = setInterval(read, this.#c.socket_interval_ms);
    }
    this.#d.log(`http: following ${this.#tailers.map((t) => t.tailer.path).join(', ') || 'no access log'}${this.#sockets ? `; open connections to ports ${this.#c.ports.join(', ')}` : ''}`);
  }

  /** Reads what the logs gained, and feeds one tick (also called by tests). */
  tick(): void {
    for (const t of this.#tailers) {
      try {
        t.tailer.poll();
      } catch (e) {
        this.#d.log(`http: ${t.tailer.path}: ${(e as Error).message}`);
      }
    }
    const now = this.#d.now();
    const tick = this.#agg.take(now, Math.max(1, now - this.#last), this.#connections);
    this.#last = now;
    const events = this.engine.ingest(tick);
    if (events.length > 0) this.#d.onEvents(events);
  }

  /** Lines read, parsed and skipped (too long, garbage, not a request), summed over the logs. */
  counters(): HttpLogCounters {
    const sum = emptyLogCounters();
    for (const { tailer } of this.#tailers) for (const k of Object.keys(sum) as (keyof HttpLogCounters)[]) sum[k] += tailer.counters[k];
    return sum;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#socketTimer) clearInterval(this.#socketTimer);
    this.#timer = this.#socketTimer = null;
    for (const t of this.#tailers) {
      // What was written up to now is read (and counted) before the file is let go.
      try {
        t.tailer.poll();
      } catch {
        // counted as it stands
      }
      t.tailer.stop();
    }
  }
}
