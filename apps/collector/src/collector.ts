// `breakwater collector run`: UDP listeners for NetFlow v5/v9, IPFIX and sFlow v5; a bounded
// queue between the sockets and the decoder; per-destination detection for every address in the
// protected networks (one engine per host: the agent's thresholds, baselines and classification);
// per-host metrics and incidents reported through the agent's spool and sender, naming the host
// (the server files them under that host's flow node). create() does no I/O; start()/stop().
import { createSocket, type Socket } from 'node:dgram';
import { hostname, release, type } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import { parsePrefix, prefixContains, type FlowRecord, type IpPrefix, type TickStats } from '@breakwater/contracts';
import { createFlowDetector, type FlowDetector } from '@breakwater/analysis/flows';
import { resolveConfig, toAgentIncident, type DetectionEvent } from '@breakwater/detection';
import { createFlowDecoder, type FlowDecoder } from '@breakwater/flows';
import { AgentClient, SecondAccumulator, Sender, Spool, type Outgoing } from '@breakwater/uplink';
import { CollectorConfigError, parseEndpoint, type CollectorConfig } from './collector-config.ts';
import { CollectorMetrics } from './collector-metrics.ts';
import { DatagramQueue } from './datagram-queue.ts';
import { exporterReport, refusedExporterReport } from './exporter-report.ts';
import { udpSocketDrops } from './socket-drops.ts';

export interface CollectorDeps {
  version: string;
  now?: () => number;
  log?: (msg: string) => void;
  fetch?: typeof fetch;
  /** Detection tick (default 100 ms, as the agent's). */
  tickMs?: number;
  heartbeatMs?: number;
  /** Called with every detection event (tests, the bench). */
  onEvent?: (host: string, e: DetectionEvent) => void;
}

export interface Collector {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Where each listener is bound (port 0 in the config picks a free one). */
  addresses(): Record<string, { address: string; port: number }>;
  readonly decoder: FlowDecoder;
  readonly detector: FlowDetector;
  readonly queue: DatagramQueue;
}

/** Datagrams decoded per event-loop turn before sockets get their turn again. */
const DRAIN_BATCH = 256;

function outgoingOf(host: string, e: DetectionEvent): Outgoing | null {
  if (e.type === 'incident.opened') return { kind: 'open', local: e.incident.id, body: { ...toAgentIncident(e.incident) }, host };
  if (e.type === 'incident.updated') return { kind: 'update', local: e.incident.id, body: { ...toAgentIncident(e.incident) }, host };
  if (e.type === 'incident.resolved') return { kind: 'resolve', local: e.incident.id, body: { ...toAgentIncident(e.incident) }, host };
  return null;
}

export function createCollector(config: CollectorConfig, deps: CollectorDeps): Collector {
  const log = deps.log ?? ((m: string) => process.stderr.write(`[collector] ${m}\n`));
  const now = deps.now ?? (() => Date.now());
  const tickMs = deps.tickMs ?? 100;
  if (config.detection !== undefined) {
    const r = resolveConfig(config.detection);
    if (!r.ok) throw new CollectorConfigError(`config: detection.${r.errors[0]!.message}`);
  }
  const decoder = createFlowDecoder({ clock: { now }, samplingOverrides: config.sampling_overrides ?? {}, onInternalError: (err, p) => log(`decoder ${p}: ${(err as Error).message}`) });
  const detector = createFlowDetector({ networks: config.networks, detection: config.detection ?? {} });
  const queue = new DatagramQueue(config.queue_datagrams);
  const allowed: IpPrefix[] | null = config.allowed_exporters ? config.allowed_exporters.map((p) => parsePrefix(p)!) : null;
  const allowCache = new Map<string, boolean>();
  const refused = new Map<string, { count: number; lastAt: number }>();
  const listenersOf = new Map<string, Set<string>>(); // exporter → listeners it sent to
  const sockets = new Map<string, { socket: Socket; listeners: string[]; family: 4 | 6 }>();
  const seconds = new Map<string, SecondAccumulator>();
  const talkers = new Map<string, Map<string, { packets: number; bytes: number }>>();
  let draining = false;
  // Plain counts for the metrics endpoint (the per-datagram path stays cheap).
  const received: Record<string, number> = {};
  let recordsDecoded = 0;
  let notAllowedTotal = 0;
  let stopAll: (() => Promise<void>) | null = null;

  function isAllowed(address: string): boolean {
    if (!allowed) return true;
    let v = allowCache.get(address);
    if (v === undefined) {
      v = allowed.some((p) => prefixContains(p, address));
      if (allowCache.size > 65_536) allowCache.clear();
      allowCache.set(address, v);
    }
    return v;
  }

  const onRecord = (r: FlowRecord) => {
    recordsDecoded++;
    detector.add(r, r.receivedAtMs);
  };

  function drain(): void {
    draining = false;
    for (let i = 0; i < DRAIN_BATCH; i++) {
      const d = queue.shift();
      if (!d) return;
      decoder.decodeEach(d.data, { address: d.address, port: d.port }, d.receivedAt, onRecord);
    }
    if (queue.size > 0) schedule();
  }
  function schedule(): void {
    if (draining) return;
    draining = true;
    setImmediate(drain);
  }

  function receive(listener: string, msg: Buffer, address: string, port: number): void {
    // An IPv4 exporter reaching a dual-stack socket shows as ::ffff:a.b.c.d: one name per exporter.
    const addr = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    received[listener] = (received[listener] ?? 0) + 1;
    if (!isAllowed(addr)) {
      notAllowedTotal++;
      const r = refused.get(addr) ?? (refused.size < 4096 ? { count: 0, lastAt: 0 } : null);
      if (r) {
        r.count++;
        r.lastAt = now();
        refused.set(addr, r);
      }
      return;
    }
    let ls = listenersOf.get(addr);
    if (!ls) listenersOf.set(addr, (ls = new Set()));
    ls.add(listener);
    if (queue.push({ data: msg, address: addr, port, listener, receivedAt: now() })) schedule();
  }

  function socketDrops(listener: string): number {
    for (const s of sockets.values()) {
      if (!s.listeners.includes(listener)) continue;
      return udpSocketDrops(s.socket.address().port, s.family) ?? 0;
    }
    return 0;
  }

  function mergeTalkers(host: string, t: TickStats): void {
    if (t.topSources.length === 0) return;
    const k = t.decoded.packets > 0 ? Math.max(1, t.total.packets / t.decoded.packets) : 1;
    let m = talkers.get(host);
    if (!m) talkers.set(host, (m = new Map()));
    for (const s of t.topSources) {
      const c = m.get(s.key);
      if (c) {
        c.packets += s.packets * k;
        c.bytes += s.bytes * k;
      } else if (m.size < 1000) m.set(s.key, { packets: s.packets * k, bytes: s.bytes * k });
    }
  }

  return {
    decoder,
    detector,
    queue,
    addresses() {
      const out: Record<string, { address: string; port: number }> = {};
      for (const s of sockets.values()) for (const l of s.listeners) out[l] = s.socket.address();
      return out;
    },
    async start() {
      const client = new AgentClient(config, { fetch: deps.fetch ?? fetch, timeoutMs: 10_000, version: deps.version, now });
      const spool = new Spool<Outgoing>({ dir: config.spool_dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
      const sender = new Sender({ spool, client, stateDir: config.spool_dir, log, now });
      sender.resolveOpen('last_report', 'the previous run of the collector ended without resolving them, and its detection state is gone');
      // Listeners: one socket per distinct endpoint (NetFlow and IPFIX may share one).
      const byEndpoint = new Map<string, string[]>();
      for (const [kind, ep] of Object.entries(config.listen)) if (ep) byEndpoint.set(ep, [...(byEndpoint.get(ep) ?? []), kind]);
      for (const [ep, listeners] of byEndpoint) {
        const { address, port } = parseEndpoint(ep);
        const family = isIP(address) === 6 ? 6 : 4;
        const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: config.socket_buffer_bytes });
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(port, address, () => {
            socket.off('error', reject);
            resolve();
          });
        }).catch((err: Error) => {
          throw new CollectorConfigError(`listen.${listeners[0]}: cannot bind ${ep}: ${err.message}`);
        });
        socket.on('error', (err) => log(`socket ${ep}: ${err.message}`));
        socket.on('message', (msg, rinfo) => receive(listeners[0]!, msg, rinfo.address, rinfo.port));
        sockets.set(ep, { socket, listeners, family });
        log(`listening for ${listeners.join('/')} on ${ep} (receive buffer ${socket.getRecvBufferSize()} bytes)`);
      }
      // Register (idempotent): the server keeps this collector's networks for its flow nodes.
      const register = async (): Promise<boolean> => {
        const r = await client.call('POST', '/collector', { networks: config.networks, listen: config.listen });
        if (!r.ok) log(`collector registration ${r.retryable ? 'failed, will retry' : 'refused'}: ${r.message}`);
        return r.ok;
      };
      let registered = await register();

      const metrics = new CollectorMetrics({ listen: config.metrics_listen, version: deps.version }, {
        datagrams: () => received, records: () => recordsDecoded, exporters: () => decoder.exporters(),
        queue: () => ({ size: queue.size, dropped: queue.dropped }),
        socketDrops: () => [...sockets.values()].reduce((a, s) => a + (udpSocketDrops(s.socket.address().port, s.family) ?? 0), 0),
        notAllowed: () => notAllowedTotal, spool: () => ({ records: spool.size(), bytes: spool.bytes(), dropped: spool.dropped }), hosts: () => detector.hosts().length,
      }, log);
      await metrics.start();
      const tick = setInterval(() => {
        const tickStart = performance.now();
        const t = now();
        const out: Outgoing[] = [];
        for (const { host, tick: ht, events } of detector.flush(t)) {
          for (const e of events) {
            deps.onEvent?.(host, e);
            const o = outgoingOf(host, e);
            if (o) out.push(o);
            if (e.type === 'incident.opened') log(`incident opened: ${e.incident.attackFamily} on ${host}`);
            if (e.type === 'incident.resolved') log(`incident resolved on ${host}`);
          }
          let acc = seconds.get(host);
          if (!acc) seconds.set(host, (acc = new SecondAccumulator()));
          const sample = acc.add(ht);
          if (sample) out.push({ kind: 'metrics', sample, host });
          mergeTalkers(host, ht);
        }
        if (seconds.size > detector.hosts().length) {
          const live = new Set(detector.hosts());
          for (const h of seconds.keys()) if (!live.has(h)) seconds.delete(h);
        }
        if (out.length > 0) sender.enqueue(out);
        metrics.observeTick((performance.now() - tickStart) / 1000);
      }, tickMs);

      const exporterReports = () => {
        const out = decoder.exporters().filter((s) => s.exporter !== '*').map((s) => exporterReport(s, {
          socket: [...(listenersOf.get(s.exporter) ?? [])].reduce((a, l) => a + socketDrops(l), 0),
          queue: queue.dropsOf(s.exporter), notAllowed: 0, allowed: true,
        }));
        for (const [addr, r] of refused) out.push(refusedExporterReport(addr, r.count, r.lastAt));
        return out;
      };
      const status = async () => {
        if (!registered) registered = await register();
        const at = new Date(now()).toISOString();
        const talkerReport = [...talkers].map(([host, m]) => ({
          host, at,
          sources: [...m].sort((a, b) => b[1].packets - a[1].packets).slice(0, 20).map(([ip, c]) => ({ ip, packets: Math.round(c.packets), bytes: Math.round(c.bytes) })),
        }));
        talkers.clear();
        const r = await client.call('POST', '/flow-status', { exporters: exporterReports(), talkers: talkerReport });
        if (!r.ok && !r.retryable) log(`flow status refused (${r.status}): ${r.message}`);
      };
      const statusTimer = setInterval(() => void status(), config.status_interval_seconds * 1000);
      const sweep = setInterval(() => decoder.sweep(now()), 1000);
      const startedAt = now();
      const heartbeat = async () => {
        await client.call('POST', '/heartbeat', {
          version: deps.version, uptime: Math.round((now() - startedAt) / 1000), os: `${type()} ${release()}`, hostname: hostname(),
          retry_queue_size: spool.size(), spool_dropped: spool.dropped, flow_active: true, collector: true,
          flow_hosts: detector.hosts().length, flow_exporters: decoder.exporters().length, queue_size: queue.size, queue_dropped: queue.dropped,
        });
      };
      void heartbeat();
      const hb = setInterval(() => void heartbeat(), deps.heartbeatMs ?? 30_000);
      const retry = setInterval(() => void sender.kick(), 1000);
      log(`protecting ${detector.networks.list().join(', ')}, reporting to ${config.server_url}`);
      stopAll = async () => {
        for (const t of [tick, statusTimer, sweep, hb, retry]) clearInterval(t);
        await metrics.stop();
        await Promise.all([...sockets.values()].map((s) => new Promise<void>((resolve) => s.socket.close(() => resolve()))));
        sockets.clear();
        await status().catch(() => undefined);
        sender.resolveOpen(now(), 'the collector is stopping');
        await sender.kick();
      };
    },
    async stop() {
      await stopAll?.();
      stopAll = null;
    },
  };
}
