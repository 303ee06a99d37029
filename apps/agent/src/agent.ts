// `breakwater agent run`: the component that watches one server's traffic. Kernel
// counters and captured packets become 100 ms ticks; the detection engine turns them
// into incident events; per-second metrics and every incident change go to the server
// through the spool. create() does no I/O; start()/stop().
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname, release, type } from 'node:os';
import type { TickStats } from '@breakwater/contracts';
import { createDetectionEngine, toAgentIncident, type DetectionEvent } from '@breakwater/detection';
import { AgentClient } from './agent-client.ts';
import { AgentConfigError, type AgentConfig } from './agent-config.ts';
import { LiveTicks } from './capture/live-ticks.ts';
import { PcapRecorder } from './capture/pcap-recorder.ts';
import { CommandRunner } from './firewall/command-runner.ts';
import { NftExecutor } from './firewall/nft-executor.ts';
import { TcpdumpSource } from './capture/tcpdump-source.ts';
import { interfaceAddress } from './enroll.ts';
import { KernelCounters } from './kernel-counters.ts';
import { Sender, type Outgoing } from './sender.ts';
import { Spool } from './spool.ts';

/** Bytes kept per packet: all headers and the start of the payload (IOC patterns). */
const SNAPLEN = 128;

export interface AgentDeps {
  version: string;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (msg: string) => void;
  heartbeatMs?: number;
}

/** One second of ticks → the agent API's metrics sample. */
export class SecondAccumulator {
  #ms = 0;
  #packets = 0;
  #bytes = 0;
  #tcp = 0;
  #udp = 0;
  #icmp = 0;
  #decoded = 0;

  add(t: TickStats): Record<string, unknown> | null {
    this.#ms += t.durationMs;
    this.#packets += t.total.packets;
    this.#bytes += t.total.bytes;
    this.#tcp += t.byProtocol.tcp.packets;
    this.#udp += t.byProtocol.udp.packets;
    this.#icmp += t.byProtocol.icmp.packets;
    this.#decoded += t.decoded.packets;
    if (this.#ms < 1000) return null;
    const pct = (n: number) => (this.#decoded > 0 ? Math.round((n / this.#decoded) * 1000) / 10 : 0);
    const sample = {
      pps: Math.round((this.#packets * 1000) / this.#ms), bps: Math.round((this.#bytes * 8 * 1000) / this.#ms),
      tcp_pct: pct(this.#tcp), udp_pct: pct(this.#udp), icmp_pct: pct(this.#icmp), recorded_at: new Date(t.ts + t.durationMs - 1000).toISOString(),
    };
    this.#ms = this.#packets = this.#bytes = this.#tcp = this.#udp = this.#icmp = this.#decoded = 0;
    return sample;
  }
}

export function outgoingOf(e: DetectionEvent): Outgoing | null {
  if (e.type === 'incident.opened') return { kind: 'open', local: e.incident.id, body: { ...toAgentIncident(e.incident) } };
  if (e.type === 'incident.updated') return { kind: 'update', local: e.incident.id, body: { ...toAgentIncident(e.incident) } };
  if (e.type === 'incident.resolved') return { kind: 'resolve', local: e.incident.id, body: { ...toAgentIncident(e.incident) } };
  return null;
}

export function createAgent(config: AgentConfig, deps: AgentDeps) {
  const log = deps.log ?? ((m: string) => process.stderr.write(`[agent] ${m}\n`));
  const now = deps.now ?? (() => Date.now());
  let stopAll: (() => Promise<void>) | null = null;
  return {
    async start(): Promise<void> {
      const target = config.ip ?? interfaceAddress(config.interface);
      if (!target) throw new AgentConfigError(`interface ${config.interface} has no address; set "ip" in the config`);
      const spool = new Spool<Outgoing>({ dir: config.spool_dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 });
      const client = new AgentClient(config, { fetch: deps.fetch ?? fetch, timeoutMs: 10_000, version: deps.version });
      const sender = new Sender({ spool, client, stateDir: config.spool_dir, log });
      const engine = createDetectionEngine(config.detection ?? {}, { target });
      const seconds = new SecondAccumulator();
      const active = new Set<string>();
      let executor: NftExecutor | null = new NftExecutor();
      try {
        await executor.setup();
      } catch (err) {
        log(`firewall unavailable, commands will be refused: ${(err as Error).message}`);
        executor = null;
      }
      const runner = new CommandRunner({ client, executor, allowRawCommands: config.allow_raw_commands, log });
      const recorder = new PcapRecorder({ dir: config.pcap_dir, ringPackets: config.pcap_ring_packets, maxBytes: config.pcap_max_bytes, snaplen: SNAPLEN, linktype: 1 });
      const ticks = new LiveTicks({}, {
        counters: new KernelCounters({ iface: config.interface }),
        now,
        onTick: (t) => {
          const out: Outgoing[] = [];
          for (const e of engine.ingest(t)) {
            const o = outgoingOf(e);
            if (o) out.push(o);
            if (e.type === 'incident.opened') {
              log(`incident opened: ${e.incident.attackFamily} on ${target}`);
              recorder.begin(e.incident.id);
              active.add(e.incident.id);
              // commands for it come from the server; ask as soon as the open has gone out
              setTimeout(() => void runner.poll(), 300).unref();
            }
            if (e.type === 'incident.resolved') {
              const file = recorder.end(e.incident.id);
              if (file) out.push({ kind: 'pcap', local: e.incident.id, path: file.path });
              active.delete(e.incident.id);
              const uuid = sender.serverId(e.incident.id);
              if (uuid) void runner.releaseIncident(uuid);
            }
          }
          const sample = seconds.add(t);
          if (sample) out.push({ kind: 'metrics', sample });
          if (out.length > 0) sender.enqueue(out);
        },
      });
      const exclude: { host: string; port: number }[] = [];
      if (config.exclude_server_traffic) {
        const u = new URL(config.server_url);
        const host = isIP(u.hostname.replace(/^\[|\]$/g, '')) ? u.hostname.replace(/^\[|\]$/g, '') : (await lookup(u.hostname)).address;
        exclude.push({ host, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) });
      }
      const capture = new TcpdumpSource({ iface: config.interface, exclude, snaplen: SNAPLEN }, {
        onRecord: (rec) => {
          ticks.onRecord(rec);
          recorder.onRecord(rec);
        },
        onError: (err) => log(`capture: ${err.message}`),
      });
      await capture.start();
      ticks.start();
      const startedAt = now();
      const heartbeat = () =>
        void client.call('POST', '/heartbeat', {
          version: deps.version, uptime: Math.round((now() - startedAt) / 1000), os: `${type()} ${release()}`, hostname: hostname(),
          retry_queue_size: spool.size(), spool_dropped: spool.dropped,
        });
      heartbeat();
      const hb = setInterval(heartbeat, deps.heartbeatMs ?? 30_000);
      // Retries what the spool still holds after the server was away.
      const retry = setInterval(() => void sender.kick(), 1000);
      // Config (and pending commands): every 5 minutes, every 2 s while an incident lasts.
      void runner.poll();
      let lastPoll = now();
      const configPoll = setInterval(() => {
        if (active.size > 0 || now() - lastPoll >= 300_000) {
          lastPoll = now();
          void runner.poll();
        }
      }, 2000);
      log(`watching ${config.interface} (${target}), reporting to ${config.server_url}`);
      stopAll = async () => {
        clearInterval(hb);
        clearInterval(retry);
        clearInterval(configPoll);
        await runner.stop();
        await executor?.teardown().catch(() => undefined);
        ticks.stop();
        const cs = await capture.stop();
        log(`capture stats: ${cs.captured ?? '?'} captured, ${cs.received ?? '?'} received by filter, ${cs.kernelDrops ?? '?'} dropped by kernel`);
        await sender.kick();
      };
    },
    async stop(): Promise<void> {
      await stopAll?.();
      stopAll = null;
    },
  };
}
