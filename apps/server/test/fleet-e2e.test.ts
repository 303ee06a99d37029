// The fleet end to end on real parts: a real sshd in a network namespace this test creates
// (its own host key, a deploy key the test generates), the agent deployed there over SSH with
// the host key checked, the install one-liner run on a second namespace host, and the agent
// then driven through the fleet API. Hosts write through overlays into the test's temp dir.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readSse, sqliteBackend, waitFor } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';
import { startHostBed, type HostBed } from './ssh-host-bed.ts';

describe('fleet end to end: deploy over SSH to a real sshd, the install one-liner, then the fleet API', () => {
  let sshHost: HostBed;
  let lineHost: HostBed | undefined;
  let t: TestServer;
  before(async () => {
    sshHost = await startHostBed({ sshd: true });
    // The server listens on the root namespace's end of the host's link: what the host reaches.
    t = await startTestServer(sqliteBackend, { host: sshHost.rootIp, outbound: { deploy: ['private'] } });
    const key = await t.request('POST', '/api/agents/ssh-keys', { body: { name: '~/.ssh/id_ed25519', private_key: sshHost.sshd!.userKey.priv } });
    assert.equal(key.status, 200, JSON.stringify(key.body));
  });
  after(async () => {
    await t?.stop();
    await lineHost?.stop();
    await sshHost?.stop();
  });

  const deployBody = (over: Record<string, unknown>) => ({ host: sshHost.nsIp, ssh_user: 'root', ssh_port: 22, ssh_key: '~/.ssh/id_ed25519', ...over });
  const jobs = async () => (await t.request('GET', '/api/agents/deploy/jobs')).body as { id: string; status: string; host_key_trust: string | null; host_key_fingerprint: string | null; steps: { name: string; state: string; detail: string | null; at: string | null }[]; agent_id: string | null; error: string | null }[];
  let agentId = '';
  const agentLog = () => (sshHost.hostFile('/var/log/breakwater/agent.log') ?? '').split('\n').slice(-8).join('\n');

  test('a host whose key does not match the pinned fingerprint is refused before anything is sent', async () => {
    const r = await t.request('POST', '/api/agents/deploy', { body: deployBody({ label: 'mismatch', host_key_fingerprint: sshHost.sshd!.otherHostKey.fingerprint }) });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'host_key_mismatch');
    assert.match(r.body.error.message, new RegExp(`host key of ${sshHost.nsIp.replace(/\./g, '\\.')}:22 is ${sshHost.sshd!.hostKey.fingerprint.replace(/[+/]/g, '\\$&')}, not the pinned`));
    const [job] = await jobs();
    assert.equal(job!.status, 'failed');
    assert.equal(job!.host_key_fingerprint, sshHost.sshd!.hostKey.fingerprint, 'the job shows what the host presented');
    assert.deepEqual(job!.steps.map((s) => s.state), ['done', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    assert.equal(job!.agent_id, null);
    assert.equal((await t.request('GET', '/api/v1/nodes')).body.data.length, 0, 'no node registered');
    assert.equal(sshHost.hostFile('/etc/breakwater/agent.json'), null, 'nothing written on the host');
    assert.deepEqual((await t.request('GET', '/api/agents/known-hosts')).body, [], 'a refused key is not recorded');
  });

  test('trust on first use, only when asked: the presented key is recorded (and used afterwards) even when login then fails', async () => {
    const r = await t.request('POST', '/api/agents/deploy', { body: deployBody({ label: 'tofu', ssh_user: 'nosuchuser', trust_on_first_use: true }) });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'ssh_failed');
    const known = (await t.request('GET', '/api/agents/known-hosts')).body;
    assert.equal(known.length, 1);
    assert.equal(known[0].fingerprint, sshHost.sshd!.hostKey.fingerprint);
    assert.equal(known[0].trust, 'tofu');
    assert.match(known[0].recorded_by, /^token:/);
    // Recorded now: a later deploy without a fingerprint is held to it.
    const [job] = await jobs();
    assert.equal(job!.host_key_trust, 'tofu');
  });

  test('deploy with the pinned fingerprint: installs, enrols and starts the agent, which comes online; the job shows every step', async (tc) => {
    const started = Date.now();
    const r = await t.request('POST', '/api/agents/deploy', { body: deployBody({ label: 'db-01', host_key_fingerprint: sshHost.sshd!.hostKey.fingerprint, tags: ['db'] }) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'deployed');
    assert.match(r.body.key, /^[0-9a-f]{64}$/);
    agentId = r.body.agent_id;
    const node = await t.request('GET', `/api/v1/nodes/${agentId}`);
    assert.equal(node.body.data.name, 'db-01');
    assert.equal(node.body.data.status, 'online');
    assert.equal(node.body.data.interface, sshHost.nsIf);
    const job = (await jobs()).find((j) => j.id === r.body.job_id)!;
    assert.equal(job.status, 'deployed');
    assert.equal(job.host_key_trust, 'pinned');
    assert.ok(job.steps.every((s) => s.state === 'done'), JSON.stringify(job.steps));
    tc.diagnostic(`deploy took ${Date.now() - started} ms; steps: ${job.steps.map((s) => `${s.name}@${s.at}`).join(' ')}`);
    // On the host: the config is root's only and holds the key the reply showed; the unit is written.
    const cfg = JSON.parse(sshHost.hostFile('/etc/breakwater/agent.json')!);
    assert.equal(cfg.node_uuid, agentId);
    assert.equal(cfg.api_key, r.body.key);
    assert.equal(cfg.server_url, t.url);
    assert.equal(statSync(join(sshHost.dir, 'ovl/etc-up/breakwater/agent.json')).mode & 0o777, 0o600);
    assert.match(cfg.command_public_key, /^[A-Za-z0-9+/]{40,80}={0,2}$/, 'the command-signing key is pinned at enrolment');
    assert.match(sshHost.hostFile('/etc/systemd/system/breakwater-agent.service')!, /^ExecStart=\/opt\/breakwater\/\.runtime\/node_modules\/node\/bin\/node \/opt\/breakwater\/bin\/breakwater\.mjs agent run --config \/etc\/breakwater\/agent\.json$/m);
    // The agent keeps reporting after the SSH session closed.
    const seen = (await t.request('GET', `/api/v1/nodes/${agentId}`)).body.data.last_seen_at;
    await waitFor('a later report', async () => (await t.request('GET', `/api/v1/nodes/${agentId}`)).body.data.last_seen_at !== seen, 10_000, 200);
    const actions = (await t.server.ctx.db.selectFrom('audit_log').select(['action', 'detail']).orderBy('id').execute());
    const done = actions.filter((a) => a.action === 'agent.deploy').map((a) => JSON.parse(a.detail).result);
    assert.deepEqual(done, ['failed', 'failed', 'deployed']);
  });

  test('deploying again to a host that already has an agent is refused unless replace_existing says so; the failed deploy leaves no node', async () => {
    const before = (await t.request('GET', '/api/v1/nodes')).body.data.length;
    const r = await t.request('POST', '/api/agents/deploy', { body: deployBody({ label: 'db-02', host_key_fingerprint: sshHost.sshd!.hostKey.fingerprint }) });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(errorCode(r), 'deploy_failed');
    assert.match(r.body.error.message, /^install script: \/etc\/breakwater\/agent\.json exists: this host is already enrolled/);
    assert.equal((await t.request('GET', '/api/v1/nodes')).body.data.length, before, 'the node registered for it is gone again');
    const job = (await jobs())[0]!;
    assert.equal(job.status, 'failed');
    assert.equal(job.steps.find((s) => s.name === 'install')!.state, 'failed');
    assert.equal(JSON.parse(sshHost.hostFile('/etc/breakwater/agent.json')!).node_uuid, agentId, 'the running agent\'s config is untouched');
  });

  test('the install one-liner, run as root on another namespace host, installs, enrols and starts the agent; the same key is refused a second time', async (tc) => {
    lineHost = await startHostBed({ sshd: false, serverIp: sshHost.rootIp });
    const made = await t.request('POST', '/api/agents/enrolment-keys', { body: { label: 'one-liner', tags: ['edge'] } });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const started = Date.now();
    // Exactly the command the API hands out (and the dashboard shows).
    const run = await lineHost.run(made.body.install_command, { env: { BREAKWATER_INTERFACE: lineHost.nsIf } });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    tc.diagnostic(`install one-liner took ${Date.now() - started} ms`);
    assert.match(run.stdout, /@@bw step done\nbreakwater agent installed and started \([0-9a-f-]{36}\)\n$/);
    const cfg = JSON.parse(lineHost.hostFile('/etc/breakwater/agent.json')!);
    assert.equal(statSync(join(lineHost.dir, 'ovl/etc-up/breakwater/agent.json')).mode & 0o777, 0o600);
    assert.equal(cfg.interface, lineHost.nsIf);
    assert.equal(cfg.server_url, t.url);
    assert.ok(lineHost.hostFile('/etc/systemd/system/breakwater-agent.service'), 'the unit is written (no systemd runs here, so the agent was started directly)');
    assert.ok(Number(lineHost.hostFile('/run/breakwater-agent.pid')) > 1);
    // Enrolled and started: the node exists and its agent reports.
    const node = await waitFor('the one-liner agent online', async () => {
      const n = await t.request('GET', `/api/v1/nodes/${cfg.node_uuid}`);
      return n.body.data?.status === 'online' ? n.body.data : undefined;
    }, 60_000, 250);
    assert.equal(node.ip, lineHost.nsIp);
    assert.deepEqual(node.tags, ['edge'], 'the key\'s tags');
    const key = (await t.request('GET', '/api/agents/enrolment-keys')).body.find((k: { id: string }) => k.id === made.body.id);
    assert.equal(key.state, 'enrolled');
    assert.equal(key.agent_id, cfg.node_uuid);

    // The same key again: refused, and running the one-liner again installs nothing.
    const again = await fetch(made.body.install_command.match(/'(http[^']+)'/)[1]);
    assert.equal(again.status, 410);
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'enrolment_key_used');
    const nodesBefore = (await t.request('GET', '/api/v1/nodes')).body.data.length;
    const rerun = await lineHost.run(made.body.install_command);
    assert.match(rerun.stderr, /returned error: 410|error: 410/);
    assert.equal((await t.request('GET', '/api/v1/nodes')).body.data.length, nodesBefore);
  });

  // What an operator does on the host itself: the server can never turn these on.
  test('on the deployed host the operator opts in to raw commands and a file root over SSH, and restarts the agent', async () => {
    assert.ok(agentId, 'the deploy above ran');
    const node = '/opt/breakwater/.runtime/node_modules/node/bin/node';
    const r = await sshHost.ssh([
      'set -e', 'mkdir -p /var/tmp/bw-files', 'PID=$(cat /run/breakwater-agent.pid)', 'kill -- -"$PID"',
      'while kill -0 "$PID" 2>/dev/null; do sleep 0.1; done',
      `${node} -e 'const f=require("fs");const p="/etc/breakwater/agent.json";const c=JSON.parse(f.readFileSync(p,"utf8"));c.allow_raw_commands=true;c.file_roots=["/var/tmp/bw-files"];f.writeFileSync(p,JSON.stringify(c,null,2))'`,
      `setsid ${node} /opt/breakwater/bin/breakwater.mjs agent run --config /etc/breakwater/agent.json </dev/null >>/var/log/breakwater/agent.log 2>&1 & echo $! > /run/breakwater-agent.pid`,
    ].join('\n'));
    assert.equal(r.code, 0, r.stderr);
    // Back and reporting: a report newer than the restart. The node may be 'attack' or 'elevated'
    // rather than 'online': the deploys above copy the bundle over SSH through the interface the agent watches,
    // and on a fast machine that transfer crosses the node's static bps threshold.
    const restarted = Date.now();
    await waitFor('the restarted agent reporting', async () => {
      const n = await t.request('GET', `/api/v1/nodes/${agentId}`);
      return n.body.data.status !== 'offline' && Date.parse(n.body.data.last_seen_at) > restarted;
    }, 60_000, 250).catch(async (err: Error) => {
      const n = (await t.request('GET', `/api/agents/${agentId}`)).body;
      throw new Error(`${err.message} (restarted at ${new Date(restarted).toISOString()}); the server's view: ${JSON.stringify(n)}; the agent's log ends: ${agentLog()}`);
    });
  });

  test('a command runs on the deployed agent and its output comes back', async () => {
    // Accepted once the restarted agent has told the server it allows raw commands (409 until then).
    const sent = await waitFor('shell accepted', async () => {
      const r = await t.request('POST', `/api/agents/${agentId}/commands`, { body: { type: 'shell', params: { command: 'echo "hello from $(grep -c node_uuid /etc/breakwater/agent.json) agent"; id -u' } } });
      if (r.status === 409) return undefined;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r;
    }, 90_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}; the agent's log ends: ${agentLog()}`);
    });
    assert.equal(sent.body.status, 'queued');
    const done = await waitFor('the command output', async () => {
      const h = await t.request('GET', `/api/agents/${agentId}/commands`);
      const c = (h.body as { command_id: string; status: string; output: string | null; exit_code: number | null }[]).find((x) => x.command_id === sent.body.command_id);
      return c && c.status !== 'pending' ? c : undefined;
    }, 30_000, 100);
    assert.equal(done.status, 'applied', JSON.stringify(done));
    assert.equal(done.exit_code, 0);
    assert.equal(done.output, 'hello from 1 agent\n0\n');
  });

  /** Reads server-sent events: each as {event, data, at}. */
  async function sse(path: string, onEvent: (e: { event: string; data: any; at: number }) => boolean | void): Promise<void> {
    const ctrl = new AbortController();
    const res = await fetch(t.url + path, { signal: ctrl.signal, headers: { accept: 'text/event-stream' } });
    assert.equal(res.status, 200, await (res.status === 200 ? Promise.resolve('') : res.text()));
    try {
      for await (const e of readSse(res.body!).events) if (onEvent({ ...e, at: Date.now() }) === true) return;
      throw new Error('stream ended');
    } finally {
      ctrl.abort();
    }
  }

  const ticket = async (kind: 'logs' | 'metrics') => {
    const r = await t.request('POST', `/api/agents/${agentId}/stream-tickets`, { body: { kind } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.url as string;
  };

  test('a log line written on that host appears on the SSE stream within 1 s', async (tc) => {
    const file = '/var/tmp/bw-files/app.log';
    assert.equal((await sshHost.ssh(`: > ${file}`)).code, 0);
    // The writer logs in first and waits on its input: the SSH handshake (seconds on a loaded machine)
    // is not part of what is measured. `armed` says it is logged in; a newline makes it write.
    let armed!: () => void;
    const loggedIn = new Promise<void>((res) => (armed = res));
    let fire: ((data: string) => void) | undefined;
    const write = sshHost.ssh(`echo armed; read go; echo "payment service started pid=4242" >> ${file}`, {
      onLine: (line, send) => { if (line === 'armed') { fire = send; armed(); } },
    });
    await Promise.race([loggedIn, write.then((w) => { throw new Error(`the writer ended before logging in: ${w.stderr}`); })]);
    let seen = 0;
    let issued = 0;
    await sse(`${await ticket('logs')}&source=file&path=${encodeURIComponent(file)}`, (e) => {
      // Measured on this process's clock alone, from just before the newline goes down the open
      // session (an upper bound: the line is written after that): the host's processes start under
      // sshd, which drops this process's environment, so their clock may not be ours (faketime).
      if (e.event === 'ready') { issued = Date.now(); fire!('\n'); }
      const text = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      if (e.event === 'log' && text.includes('payment service started pid=4242')) {
        seen = e.at;
        return true;
      }
      return false;
    });
    const w = await write;
    assert.equal(w.code, 0, w.stderr);
    assert.ok(issued > 0);
    const latency = seen - issued;
    assert.ok(latency < 1000, `the line took ${latency} ms`);
    tc.diagnostic(`log line written → SSE event: ${latency} ms`);
  });

  test('the metrics stream sends an event within 5 s, then every 5 s', async (tc) => {
    const events: { at: number; data: any }[] = [];
    let ready = 0;
    await sse(await ticket('metrics'), (e) => {
      if (e.event === 'ready') ready = e.at;
      if (e.event === 'metrics') events.push(e);
      return events.length === 2;
    });
    assert.ok(events[0]!.at - ready <= 5000, `first after ${events[0]!.at - ready} ms`);
    const gap = events[1]!.at - events[0]!.at;
    tc.diagnostic(`first metrics event ${events[0]!.at - ready} ms after ready, next ${gap} ms later`);
    assert.ok(gap > 4000 && gap < 6500, `gap ${gap} ms`);
    assert.equal(typeof events[0]!.data, 'object');
  });

  test('a file goes up to the agent and comes back byte-identical', async () => {
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
    const form = new FormData();
    form.set('dest', '/var/tmp/bw-files/blob.bin');
    form.set('file', new Blob([bytes]), 'blob.bin');
    const up = await fetch(`${t.url}/api/agents/${agentId}/files`, { method: 'POST', headers: { authorization: `Bearer ${t.admin.apiToken}` }, body: form });
    const upBody = await up.json() as { sha256?: string };
    assert.equal(up.status, 200, `${JSON.stringify(upBody)}; the agent's log ends: ${agentLog()}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.equal(upBody.sha256, sha);
    const down = await fetch(`${t.url}/api/agents/${agentId}/files?path=${encodeURIComponent('/var/tmp/bw-files/blob.bin')}`, { headers: { authorization: `Bearer ${t.admin.apiToken}` } });
    assert.equal(down.status, 200);
    const back = Buffer.from(await down.arrayBuffer());
    assert.equal(down.headers.get('x-content-sha256'), sha);
    assert.ok(back.equals(bytes), 'byte-identical');
  });

  // Last: it moves the server's clock.
  test('an enrolment key not used before it expires is refused by the install-script endpoint', async () => {
    const made = await t.request('POST', '/api/agents/enrolment-keys', { body: { ttl_seconds: 60 } });
    t.clock.advance(61_000);
    const r = await fetch(made.body.install_command.match(/'(http[^']+)'/)[1]);
    assert.equal(r.status, 410);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'enrolment_key_expired');
    assert.match(body.error.message, /^key: this enrolment key expired at /);
  });
});
