// `breakwater agent run`: the component that watches one server's traffic. Kernel
// counters and captured packets become 100 ms ticks; the detection engine turns them
// into incident events; per-second metrics and every incident change go to the server
// through the spool. Commands arrive on the push stream at once (and in the config poll,
// should the stream be down). The capture source, the firewall and the counters come in
// through deps (the CLI wires tcpdump, nftables and the kernel's; tests a replay and a
// recording fake). create() does no I/O; start()/stop().
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname, release, type } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createDetectionEngine, resolveConfig, toAgentIncident, type DetectionEvent } from '@breakwater/detection';
import { AgentClient, SecondAccumulator, Sender, Spool, type Outgoing } from '@breakwater/uplink';
import { AgentConfigError, isLoopbackHost, type AgentConfig } from './agent-config.ts';
import type { AgentMetrics } from './agent-metrics.ts';
import { formatCaptureStats, type CaptureSource, type CaptureSourceFactory } from './capture/capture-source.ts';
import { LiveTicks } from './capture/live-ticks.ts';
import { PcapRecorder } from './capture/pcap-recorder.ts';
import { CommandStream } from './command-stream.ts';
import { interfaceAddress } from './enroll.ts';
import { createCommandRunner } from './commands/create-runner.ts';
import { Failsafe } from './firewall/failsafe.ts';
import { FleetChannel, isFleetMessage } from './fleet/fleet-channel.ts';
import { HostReporter } from './fleet/host-reporter.ts';
import type { FirewallExecutor, FirewallFactory } from './firewall/firewall-executor.ts';
import { ManagementPath } from './firewall/management-path.ts';
import { createProfileCommands } from './firewall/profile-commands.ts';
import type { CounterSourceFactory } from './kernel-counters.ts';
import { parseHttpAgentConfig } from './http/http-config.ts';
import { HttpMonitor } from './http/http-monitor.ts';

export { SecondAccumulator } from '@breakwater/uplink';

/** Bytes kept per packet: all headers and the start of the payload (IOC patterns). */
const SNAPLEN = 128;

export interface AgentDeps {
  version: string;
  /** Packet detail: tcpdump for `breakwater agent run`, a replay in tests. */
  capture: CaptureSourceFactory;
  /** The node's firewall: nftables, or a recording fake. One that fails to start leaves the agent without (commands are refused). */
  firewall: FirewallFactory;
  /** Exact totals: the interface's kernel counters. */
  counters: CounterSourceFactory;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (msg: string) => void;
  heartbeatMs?: number;
  /** Where the config was read from: never served by the fleet's file API, even inside a file root. */
  configPath?: string;
  /** The fleet's host report (POST /api/agents/{id}/report), every 30 s by default. */
  hostReportMs?: number;
  /** The journalctl that journald log streams run (tests may give another program). */
  journalctl?: string;
  /** agent_restart: how this agent is restarted (default: stop, then exit for the service manager to start it again). */
  restart?: () => void;
}

export interface Agent {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function outgoingOf(e: DetectionEvent): Outgoing | null {
  if (e.type === 'incident.opened') return { kind: 'open', local: e.incident.id, body: { ...toAgentIncident(e.incident) } };
  if (e.type === 'incident.updated') return { kind: 'update', local: e.incident.id, body: { ...toAgentIncident(e.incident) } };
  if (e.type === 'incident.resolved') return { kind: 'resolve', local: e.incident.id, body: { ...toAgentIncident(e.incident) } };
  return null;
}

/** The config's `detection` keys, checked against the engine's schema (the message names the key). */
export function checkDetectionConfig(config: AgentConfig): void {
  if (config.detection === undefined) return;
  const r = resolveConfig(config.detection);
  if (!r.ok) throw new AgentConfigError(`config: detection.${r.errors[0]!.message}`);
}

/** The config's `http` keys (access logs, ports, HTTP thresholds), checked; the message names the key. */
export function checkHttpConfig(config: AgentConfig): ReturnType<typeof parseHttpAgentConfig> | null {
  if (config.http === undefined) return null;
  try {
    return parseHttpAgentConfig(config.http);
  } catch (err) {
    throw new AgentConfigError(`config: ${(err as Error).message}`);
  }
}

/** The server's host and port as a TCP endpoint (the port its URL implies when it names none). */
function serverEndpoint(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

export function createAgent(config: AgentConfig, deps: AgentDeps): Agent {
  const log = deps.log ?? ((m: string) => process.stderr.write(`[agent] ${m}\n`));
  const now = deps.now ?? (() => Date.now());
  const serverUrl = new URL(config.server_url);
  const client = new AgentClient(config, { fetch: deps.fetch ?? fetch, timeoutMs: 10_000, version: deps.version, now });
  const managementPath = new ManagementPath({ serverUrl: config.server_url, now });
  const seconds = new SecondAccumulator();
  let stopAll: (() => Promise<void>) | null = null;

  /** The firewall, started with the server's connection exempt; null when it cannot start. */
  async function startFirewall(): Promise<FirewallExecutor | null> {
    try {
      const { port } = serverEndpoint(serverUrl);
      const executor = await deps.firewall({ management: (await managementPath.addresses()).map((address) => ({ address, port })) });
      await executor.start();
      return executor;
    } catch (err) {
      log(`firewall unavailable, commands will be refused: ${(err as Error).message}`);
      return null;
    }
  }

  /** The agent's own connection to the server, left out of capture. */
  async function excluded(): Promise<{ host: string; port: number }[]> {
    if (!config.exclude_server_traffic) return [];
    const { host, port } = serverEndpoint(serverUrl);
    return [{ host: isIP(host) ? host : (await lookup(host)).address, port }];
  }

  const agent: Agent = {
    async start(): Promise<void> {
      checkDetectionConfig(config);
      const httpConfig = checkHttpConfig(config);
      const target = config.ip ?? interfaceAddress(config.interface);
      if (!target) throw new AgentConfigError(`interface ${config.interface} has no address; set "ip" in the config`);
      const spool = new Spool<Outgoing>({ dir: config.spool_dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
      if (serverUrl.protocol === 'http:' && !isLoopbackHost(serverUrl.hostname)) {
        log(`warning: ${config.server_url} is plain http (allow_insecure_http): the node key and every report cross the network unencrypted`);
      }
      const sender = new Sender({ spool, client, stateDir: config.spool_dir, log, now });
      // A run that crashed left its incidents open at the server; nothing will ever resolve them now.
      sender.resolveOpen('last_report', 'the previous run of the agent ended without resolving them, and its detection state is gone');
      const engine = createDetectionEngine(config.detection ?? {}, { target });
      const executor = await startFirewall();
      const profiles = await createProfileCommands(config.profile_suite ?? 'auto', async () => (await managementPath.addresses()).map((address) => ({ address, port: serverEndpoint(serverUrl).port })), log, config.spool_dir);
      const runner = createCommandRunner(config, {
        client, executor, managementPath, now, log, profiles,
        restart: deps.restart ?? (() => {
          // Under systemd (Restart=always) the unit starts it again; the spool keeps what was not sent.
          log('agent_restart: exiting to be restarted by the service manager');
          void agent.stop().finally(() => process.exit(75));
        }),
      });
      const failsafe = new Failsafe({ releaseAfterMs: config.failsafe_release_seconds * 1000 }, {
        now, lastContact: () => client.lastContact, active: () => runner.active, release: (why) => runner.releaseAll(why), log,
      });
      let lastSecond: { pps: number; bps: number } | null = null;
      // The fleet's log/metrics streams and file transfers, answered on the command stream's socket.
      const fleet = new FleetChannel({
        roots: config.file_roots ?? [], maxBytes: config.file_max_bytes, forbidden: [config.spool_dir, ...(deps.configPath ? [deps.configPath] : [])],
      }, {
        socket: { send: (m) => stream.send(m), get bufferedAmount() { return stream.bufferedAmount; } },
        log, traffic: () => lastSecond, journalctl: deps.journalctl, now,
      });
      const stream = new CommandStream(
        { serverUrl: config.server_url, nodeUuid: config.node_uuid, apiKey: config.api_key, version: deps.version },
        {
          onCommand: (c) => {
            client.noteContact();
            void runner.accept(c, 'push');
          },
          onOther: (m) => {
            if (isFleetMessage(m)) fleet.handle(m);
          },
          onDown: () => fleet.disconnected(),
          log,
        },
      );
      const recorder = new PcapRecorder({
        dir: config.pcap_dir, ringPackets: config.pcap_ring_packets, maxBytes: config.pcap_max_bytes, snaplen: SNAPLEN, linktype: 1,
        partMs: config.pcap_part_seconds * 1000, partBytes: config.pcap_part_bytes,
      }, {
        now,
        // A long attack's finished parts go out while it lasts; the last one after the resolve.
        onPart: (id, part) => {
          log(`capture part ${part.part} of incident ${id} closed (${part.packets} packets)`);
          sender.enqueue([{ kind: 'pcap', local: id, path: part.path }]);
        },
      });
      let sampleRate = 1;
      // Prometheus metrics only when served: prom-client is ~80 modules and its default metrics
      // sample the event loop every 10 ms (see bench/agent-footprint).
      const metrics: AgentMetrics | null = config.metrics_listen === undefined ? null : new (await import('./agent-metrics.ts')).AgentMetrics({ listen: config.metrics_listen, version: deps.version }, {
        capture: () => capture.stats(), spool: () => ({ records: spool.size(), bytes: spool.bytes(), dropped: spool.dropped }),
        sampleRate: () => ticks.sampling.rate, streamConnected: () => stream.connected, lastContact: () => client.lastContact, now,
      }, log);
      const ticks = new LiveTicks({}, {
        counters: await deps.counters(config.interface),
        now,
        // Received counters every 10 ms: a flood far above its threshold opens within tens of ms
        // (the engine's fast-open rungs); only an open can come from here.
        onCounters: (c) => {
          const out: Outgoing[] = [];
          for (const e of engine.ingestCounters(c)) {
            const o = outgoingOf(e);
            if (o) out.push(o);
            if (e.type === 'incident.opened') {
              log(`incident opened: ${e.incident.attackFamily} on ${target} (fast open: ${e.incident.threshold.name} ${Math.round(e.incident.threshold.observed)} ≥ ${e.incident.threshold.value})`);
              recorder.begin(e.incident.id);
              if (!stream.connected) setTimeout(() => void runner.poll(), 300).unref();
            }
          }
          if (out.length > 0) sender.enqueue(out);
        },
        onTick: (t) => {
          const tickStart = performance.now();
          const out: Outgoing[] = [];
          for (const e of engine.ingest(t)) {
            const o = outgoingOf(e);
            if (o) out.push(o);
            if (e.type === 'incident.opened') {
              log(`incident opened: ${e.incident.attackFamily} on ${target}`);
              metrics?.incidentOpened();
              recorder.begin(e.incident.id);
              // Commands come on the stream; one poll soon after the open covers a stream that is down.
              if (!stream.connected) setTimeout(() => void runner.poll(), 300).unref();
            }
            if (e.type === 'incident.resolved') {
              const file = recorder.end(e.incident.id);
              if (file) out.push({ kind: 'pcap', local: e.incident.id, path: file.path });
              const uuid = sender.serverId(e.incident.id);
              if (uuid) void runner.releaseIncident(uuid);
            }
          }
          const sample = seconds.add(t);
          if (sample) lastSecond = { pps: Number(sample.pps), bps: Number(sample.bps) };
          if (sample) {
            out.push({ kind: 'metrics', sample });
            recorder.tick();
            const rate = ticks.sampling.rate;
            if (rate !== sampleRate) log(`decoding ${rate === 1 ? 'every packet' : `1 in ${rate} packets`} (event loop ${Math.round(ticks.sampling.load * 100)}% busy)`);
            sampleRate = rate;
          }
          if (out.length > 0) sender.enqueue(out);
          metrics?.observeTick((performance.now() - tickStart) / 1000);
        },
      });
      const capture: CaptureSource = await deps.capture({ iface: config.interface, exclude: await excluded(), snaplen: SNAPLEN }, {
        onRecord: (rec) => {
          ticks.onRecord(rec);
          recorder.onRecord(rec);
        },
        onError: (err) => log(`capture: ${err.message}`),
      });
      await capture.start();
      ticks.start();
      // HTTP floods: access logs and the socket table, with the engine's HTTP side; its incidents go out like the packet engine's.
      const http = httpConfig ? new HttpMonitor(httpConfig, {
        now, log, target,
        onEvents: (events) => {
          const out = events.map(outgoingOf).filter((o): o is Outgoing => o !== null);
          for (const e of events) if (e.type === 'incident.opened' || e.type === 'incident.resolved') log(`incident ${e.type === 'incident.opened' ? 'opened' : 'resolved'}: http_flood/${e.incident.attackSubtype} on ${target}`);
          if (out.length > 0) sender.enqueue(out);
        },
      }) : null;
      http?.start();
      stream.start();
      const reporter = new HostReporter(
        { serverUrl: config.server_url, nodeUuid: config.node_uuid, apiKey: config.api_key, version: deps.version, intervalMs: deps.hostReportMs },
        { fetch: deps.fetch, log, onContact: () => client.noteContact() },
      );
      reporter.start();
      failsafe.start();
      await metrics?.start();
      const startedAt = now();
      const heartbeat = async () => {
        const cs = await capture.stats();
        void client.call('POST', '/heartbeat', {
          version: deps.version, uptime: Math.round((now() - startedAt) / 1000), os: `${type()} ${release()}`, hostname: hostname(),
          retry_queue_size: spool.size(), spool_dropped: spool.dropped, pcap_active: true, command_stream: stream.connected,
          capture_kernel_drops: cs?.kernelDrops ?? null, capture_sample_rate: ticks.sampling.rate,
          ...(http ? { http_log: http.counters() } : {}),
          // The server refuses exec without this opt-in, and blocks of the addresses it reaches us by.
          allow_raw_commands: config.allow_raw_commands, server_addresses: await managementPath.addresses(),
        });
      };
      void heartbeat();
      const hb = setInterval(() => void heartbeat(), deps.heartbeatMs ?? 30_000);
      // Retries what the spool still holds after the server was away.
      const retry = setInterval(() => void sender.kick(), 1000);
      // Config and pending commands: at start and every config_poll_seconds (the push stream
      // brings commands at once; this finds any it missed while down).
      void runner.poll();
      const configPoll = setInterval(() => void runner.poll(), config.config_poll_seconds * 1000);
      log(`watching ${config.interface} (${target}), reporting to ${config.server_url}`);
      stopAll = async () => {
        clearInterval(hb);
        clearInterval(retry);
        clearInterval(configPoll);
        await metrics?.stop();
        await failsafe.stop();
        reporter.stop();
        stream.stop();
        fleet.disconnected();
        await runner.stop();
        await executor?.stop().catch(() => undefined);
        ticks.stop();
        http?.stop();
        if (http) log(`http log lines: ${JSON.stringify(http.counters())}`);
        const cs = await capture.stop();
        log(`capture stats: ${formatCaptureStats(cs)}`);
        const m = process.memoryUsage();
        const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
        log(`memory: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}, array buffers ${mb(m.arrayBuffers)}`);
        // Their detection state ends with this process: a flood still going on opens anew when it starts again.
        sender.resolveOpen(now(), 'the agent is stopping');
        await sender.kick();
      };
    },
    async stop(): Promise<void> {
      await stopAll?.();
      stopAll = null;
    },
  };
  return agent;
}
