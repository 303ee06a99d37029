// Test helpers for the fleet API: a real server and a real agent (replayed capture and a
// recording firewall, so no root) joined by the agent's WebSocket, and an SSE reader.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { sqliteBackend, waitFor } from '@breakwater/testing';
import { createAgent, type Agent, type AgentDeps } from '../agent.ts';
import { validateAgentConfig } from '../agent-config.ts';
import type { CounterReading } from '../kernel-counters.ts';
import { RecordingFirewall } from './recording-firewall.ts';
import { ReplaySource } from './replay-source.ts';

export interface FleetBed {
  t: TestServer;
  agent: Agent;
  node: { uuid: string; key: string };
  /** The agent's file root (files and file log streams are allowed inside). */
  root: string;
  configPath: string;
  spoolDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startFleetBed(opts: { agentConfig?: Record<string, unknown>; server?: Parameters<typeof startTestServer>[1]; serverDeps?: Parameters<typeof startTestServer>[2]; deps?: Partial<AgentDeps> } = {}): Promise<FleetBed> {
  const t = await startTestServer(sqliteBackend, opts.server ?? {}, opts.serverDeps ?? {});
  const dir = mkdtempSync(join(tmpdir(), 'bw-fleet-'));
  const root = join(dir, 'root');
  // the agent's own state lives inside the root on purpose: it must stay unreachable anyway
  const spoolDir = join(root, 'state', 'spool');
  mkdirSync(spoolDir, { recursive: true });
  const configPath = join(root, 'agent.json');
  const node = await t.deploy(t.admin, `fleet-${Date.now()}`, '198.18.0.5');
  const config = validateAgentConfig({
    server_url: t.url, node_uuid: node.uuid, api_key: node.key, interface: 'replay0', ip: '198.18.0.5', spool_dir: spoolDir, pcap_dir: join(dir, 'pcap'),
    file_roots: [root], ...opts.agentConfig,
  });
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const zero: CounterReading = { rxPackets: 0, rxBytes: 0, rxDropped: 0, ipIn: 0, tcpIn: 0, udpIn: 0, icmpIn: 0 };
  const logs: string[] = [];
  const agent = createAgent(config, {
    version: '0.0.0-fleet', capture: (o, h) => new ReplaySource(o, h), firewall: (o) => new RecordingFirewall(o), counters: () => ({ read: () => zero }),
    log: (m) => logs.push(m), configPath, ...opts.deps,
  });
  await agent.start();
  const row = async () => (await t.request('GET', `/api/agents/${node.uuid}`)).body;
  await waitFor('the agent holds its WebSocket', async () => (await row()).streams?.connected === true, 10_000);
  return {
    t, agent, node, root, configPath, spoolDir, logs,
    async stop() {
      await agent.stop();
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SseEvent { event: string; data: any; at: number } // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on shapes

/** Reads a server-sent event stream; events are kept with the time they arrived. */
export async function openSse(url: string): Promise<{ status: number; body: unknown; events: SseEvent[]; ended: Promise<void>; close(): void }> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal, headers: { accept: 'text/event-stream' } });
  const events: SseEvent[] = [];
  if (!res.ok || !res.body) {
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: res.status, body, events, ended: Promise.resolve(), close: () => undefined };
  }
  const ended = (async () => {
    let buf = '';
    const dec = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')), at: Date.now() });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { status: res.status, body: null, events, ended, close: () => ac.abort() };
}
