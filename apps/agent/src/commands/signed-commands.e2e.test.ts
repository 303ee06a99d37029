// Signed commands end to end: the real server (`breakwater server`, SQLite, loopback) and the
// real agent code (enrolled with `enroll`, which pins the command key from the deploy reply,
// then run on its capture and firewall fakes). A command sent through the fleet API arrives on
// the push stream, runs, and its exit code and output come back to the history. The agent
// refuses — and the server stores or audits the refusal — a command tampered with, expired,
// replayed after a restart, or addressed to another agent.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentClient } from '@breakwater/uplink';
import { waitFor } from '@breakwater/testing';
import { createAgent, type Agent } from '../agent.ts';
import { validateAgentConfig, type AgentConfig } from '../agent-config.ts';
import { enroll } from '../enroll.ts';
import type { CounterReading } from '../kernel-counters.ts';
import { BIN } from '../testing/stack.ts';
import { RecordingFirewall } from '../testing/recording-firewall.ts';
import { ReplaySource } from '../testing/replay-source.ts';
import type { Pending } from './command-runner.ts';
import { createCommandRunner } from './create-runner.ts';

const zero: CounterReading = { rxPackets: 0, rxBytes: 0, rxDropped: 0, ipIn: 0, tcpIn: 0, udpIn: 0, icmpIn: 0 };

describe('signed commands between the real server and the real agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-signed-'));
  let server: ChildProcess;
  let url = '';
  let apiToken = '';
  let deployToken = '';
  const logs: string[] = [];
  const agents: Agent[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${apiToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: (await r.json()) as any };  
  };
  const history = async (uuid: string) => (await api('GET', `/api/agents/${uuid}/commands`)).body as Record<string, any>[];  
  const entry = async (uuid: string, commandId: string) => (await history(uuid)).find((c) => c.command_id === commandId);

  async function enrolled(name: string, extra: Partial<AgentConfig> = {}): Promise<AgentConfig> {
    const path = join(dir, `${name}.json`);
    const c = await enroll({ server: url, deployToken, configPath: path, name, ip: '198.18.0.5', interface: 'replay0' });
    assert.match(String(c.command_public_key), /^[A-Za-z0-9+/]{59}=$/, 'the command key is pinned at enrolment');
    return validateAgentConfig({ ...c, ip: '198.18.0.5', spool_dir: join(dir, name, 'spool'), pcap_dir: join(dir, name, 'pcap'), detection: { baseline: { enabled: false } }, ...extra });
  }

  async function run(config: AgentConfig, now: () => number = Date.now): Promise<Agent> {
    const agent = createAgent(config, {
      version: '0.0.0-test', capture: (o, h) => new ReplaySource(o, h), firewall: (o) => new RecordingFirewall(o), counters: () => ({ read: () => zero }),
      now, log: (m) => logs.push(`[${config.node_uuid.slice(0, 8)}] ${m}`), restart: () => logs.push('restart asked'), heartbeatMs: 300,
    });
    await agent.start();
    agents.push(agent);
    await waitFor('push stream up', async () => (await api('GET', `/api/v1/nodes/${config.node_uuid}`)).body.data?.agent?.command_stream === true, 15_000, 100);
    return agent;
  }

  /** The node's pending commands as its agent fetches them (signed). */
  async function pendingOf(config: AgentConfig): Promise<Pending[]> {
    const client = new AgentClient(config, { fetch, timeoutMs: 5000, version: '0.0.0-test' });
    const r = await client.call<{ pending_commands: Pending[] }>('GET', '/config');
    assert.ok(r.ok);
    return r.body.pending_commands;
  }

  /** The runner the agent builds from this config, acking to the real server (for commands the server would not offer again). */
  function runnerOf(config: AgentConfig) {
    const client = new AgentClient(config, { fetch, timeoutMs: 5000, version: '0.0.0-test' });
    return createCommandRunner(config, { client, executor: null, now: Date.now, log: (m) => logs.push(`[runner ${config.node_uuid.slice(0, 8)}] ${m}`), restart: () => undefined });
  }

  before(async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    server = spawn(process.execPath, [BIN, 'server', '--port', String(port), '--data-dir', join(dir, 'server'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('server listening', () => /listening on (\S+)/.test(out), 30_000);
    url = `http://127.0.0.1:${port}`;
    deployToken = /Deploy token:\s+(\S+)/.exec(out)![1]!;
    apiToken = /API token:\s+(\S+)/.exec(out)![1]!;
  });
  after(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode === null ? server.once('exit', r) : r(null)));
    rmSync(dir, { recursive: true, force: true });
  });

  test('a shell command sent through the fleet API runs on the agent; exit code and output come back, refusals are stored with their reason', { timeout: 120_000 }, async () => {
    const a = await enrolled('alpha', { allow_raw_commands: true });
    const b = await enrolled('bravo');
    const agentA = await run(a);
    await waitFor('opt-in reported', async () => {
      const q = await api('POST', `/api/agents/${a.node_uuid}/commands`, { type: 'shell', params: { command: 'echo "from $0"; exit 4', timeout: 10 } });
      return q.status === 200 ? q.body.command_id as string : undefined;
    }, 10_000, 200).then(async (id) => {
      const done = await waitFor('shell result stored', async () => ((await entry(a.node_uuid, id))?.status === 'failed' ? entry(a.node_uuid, id) : undefined), 10_000, 50);
      assert.equal(done.exit_code, 4);
      assert.equal(done.output, 'from /bin/sh\n');
      assert.equal(done.error, 'exit code 4');
    });
    // Replay: a command the agent ran, captured as the server offered it, offered again after a restart.
    await agentA.stop();
    const q = (await api('POST', `/api/agents/${a.node_uuid}/commands`, { type: 'config_reload', params: {} })).body.command_id as string;
    const [offered] = (await pendingOf(a)).filter((p) => `cmd_${p.id}` === q);
    assert.ok(offered?.signed, 'the server offers it signed');
    await run(a);
    await waitFor('config_reload applied', async () => (await entry(a.node_uuid, q))?.status === 'applied', 10_000, 50);
    await runnerOf(a).accept(offered, 'poll'); // a new process with the same spool: nonces survived
    assert.ok(logs.some((l) => new RegExp(`command ${q.slice(4)} refused \\(poll\\): replayed: command ${q.slice(4)}: nonce [0-9a-f]{32} was used before`).test(l)), logs.join('\n'));
    assert.equal((await entry(a.node_uuid, q))!.status, 'applied', 'the replay does not overwrite the outcome');

    // Tampered: the params of a signed command changed on the way.
    const t = (await api('POST', `/api/agents/${b.node_uuid}/commands`, { type: 'service_status', params: { unit: 'nginx' } })).body.command_id as string;
    const [tc] = (await pendingOf(b)).filter((p) => `cmd_${p.id}` === t);
    await runnerOf(b).accept({ ...tc!, signed: { ...tc!.signed!, body: tc!.signed!.body.replace('"service_status"', '"service_restart"') } }, 'push');
    const tampered = await entry(b.node_uuid, t);
    assert.equal(tampered!.status, 'rejected');
    assert.match(tampered!.error, /^bad_signature: command \d+: the signature does not match the pinned key$/);

    // Addressed to another agent: bravo's command handed to alpha is refused by alpha (and its ack cannot touch bravo's record).
    const w = (await api('POST', `/api/agents/${b.node_uuid}/commands`, { type: 'config_reload', params: {} })).body.command_id as string;
    const [wc] = (await pendingOf(b)).filter((p) => `cmd_${p.id}` === w);
    await runnerOf(a).accept(wc!, 'push');
    assert.ok(logs.some((l) => new RegExp(`command ${w.slice(4)} refused \\(push\\): wrong_agent: command ${w.slice(4)} is addressed to agent ${b.node_uuid}`).test(l)));
    assert.equal((await entry(b.node_uuid, w))!.status, 'pending', 'still bravo\'s to run');

    // Expired: bravo's agent comes up two hours later than the server thinks.
    await run(b, () => Date.now() + 2 * 3_600_000);
    const expired = await waitFor('refusal stored', async () => ((await entry(b.node_uuid, w))?.status === 'rejected' ? entry(b.node_uuid, w) : undefined), 15_000, 100);
    assert.match(expired.error, /^expired: command \d+ expired at /);
  });
});
