// The `breakwater` command as an operator runs it: a real process, real storage.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createTestDatabase, waitFor } from '@breakwater/testing';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'breakwater.mjs');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'bw-cli-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('breakwater admin init', () => {
  test('prints the first credentials once as JSON, then refuses to run again (SQLite)', () => {
    const dir = tmp();
    const first = run(['admin', 'init', '--json', '--data-dir', dir]);
    assert.equal(first.status, 0, first.stderr);
    const out = JSON.parse(first.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['admin_email', 'admin_password', 'api_token', 'deploy_token', 'deploy_token_scope', 'workspace_id', 'workspace_name']);
    assert.match(out.deploy_token, /^bwd_[0-9a-f]{64}$/);
    assert.equal(out.deploy_token_scope, 'register'); // copied onto every machine enrolled: it registers nodes, nothing else
    assert.match(out.api_token, /^bwa_[0-9a-f]{64}$/);
    const second = run(['admin', 'init', '--json', '--data-dir', dir]);
    assert.equal(second.status, 2);
    assert.match(second.stderr, /already initialised/);
    assert.equal(second.stdout, '');
  });

  test('--deploy-token-scope operator: the deploy token also acts as an operator on REST v1', async () => {
    const dir = tmp();
    const init = run(['admin', 'init', '--json', '--data-dir', dir, '--deploy-token-scope', 'operator']);
    assert.equal(init.status, 0, init.stderr);
    const out = JSON.parse(init.stdout);
    assert.equal(out.deploy_token_scope, 'operator');
    const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    try {
      const url = await waitFor('server to listen', () => /listening on (http:\/\/\S+)/.exec(text)?.[1], 20_000);
      const r = await fetch(`${url}/api/v1/workspace`, { headers: { authorization: `Bearer ${out.deploy_token}` } });
      assert.equal(r.status, 200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  test('works on PostgreSQL with --database-url and refuses twice there too', async () => {
    const { url, drop } = await createTestDatabase();
    try {
      const first = run(['admin', 'init', '--json', '--database-url', url]);
      assert.equal(first.status, 0, first.stderr);
      assert.ok(JSON.parse(first.stdout).api_token);
      assert.equal(run(['admin', 'init', '--json', '--database-url', url]).status, 2);
    } finally {
      await drop();
    }
  });

  test('bad flags name the flag and what is allowed', () => {
    const noJson = run(['admin', 'init']);
    assert.equal(noJson.status, 2);
    assert.match(noJson.stderr, /--json is required/);
    const unknown = run(['admin', 'init', '--json', '--colour', 'red']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--colour/);
    assert.match(unknown.stderr, /allowed flags: --json, --data-dir, --database-url/);
    const badUrl = run(['admin', 'init', '--json', '--database-url', 'mysql://x']);
    assert.equal(badUrl.status, 2);
    assert.match(badUrl.stderr, /--database-url: must be a postgres:\/\//);
    const scope = run(['admin', 'init', '--json', '--data-dir', tmp(), '--deploy-token-scope', 'root']);
    assert.equal(scope.status, 2);
    assert.match(scope.stderr, /--deploy-token-scope: must be one of register, operator/);
    const sub = run(['admin', 'frobnicate']);
    assert.equal(sub.status, 2);
    assert.match(sub.stderr, /allowed: init/);
    const cmd = run(['launch-missiles']);
    assert.equal(cmd.status, 2);
    assert.match(cmd.stderr, /unknown command "launch-missiles"/);
  });
});

describe('breakwater server', () => {
  test('bad flags exit 2 with the flag named', () => {
    for (const [args, msg] of [
      [['server', '--port', 'http'], /--port: must be a port number from 0 to 65535/],
      [['server', '--port', '70000'], /--port: /],
      [['server', '--pcap-max-bytes', '10MB'], /--pcap-max-bytes: must be a whole number/],
      [['server', '--log-level', 'chatty'], /--log-level: must be one of fatal, error/],
      [['server', '--public-url', 'ftp://x'], /--public-url: must be an http:\/\/ or https:\/\/ URL/],
      [['server', '--verbose'], /Unknown option '--verbose'/],
      [['server', '--deploy-token-scope', 'admin'], /--deploy-token-scope: must be one of register, operator/],
    ] as const) {
      const r = run([...args, '--data-dir', tmp()]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
  });

  test('first start creates the workspace, prints the secrets once, and serves the API with them', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await waitFor('server to listen', () => /listening on (http:\/\/\S+)/.exec(out)?.[1], 20_000);
      const token = /API token:\s+(\S+)/.exec(out)?.[1];
      assert.match(out, /Admin password:\s+\S{12,}/);
      assert.match(out, /Deploy token:\s+bwd_\S+ \(registers nodes only\)/);
      const r = await fetch(`${url}/api/v1/workspace`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
      // the first deploy token registers nodes and does nothing else
      const deploy = { authorization: `Bearer ${/Deploy token:\s+(\S+)/.exec(out)![1]}`, 'content-type': 'application/json' };
      assert.equal((await fetch(`${url}/api/deploy`, { method: 'POST', headers: deploy, body: JSON.stringify({ name: 'n1', ip: '192.0.2.1' }) })).status, 200);
      assert.equal((await fetch(`${url}/api/v1/workspace`, { headers: deploy })).status, 403);
      assert.equal((await fetch(`${url}/api/v1/nodes`, { method: 'POST', headers: deploy, body: JSON.stringify({ name: 'n2', ip: '192.0.2.2' }) })).status, 403);
      // no TLS said: the session cookie is not Secure
      const login = await fetch(`${url}/api/dash/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password: /Admin password:\s+(\S+)/.exec(out)![1] }) });
      assert.equal(login.status, 200);
      assert.doesNotMatch(login.headers.get('set-cookie') ?? '', /Secure/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    // a second start on the same data keeps the workspace and prints no secrets
    // (and --secure-cookies marks the session cookie Secure)
    const again = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dir, '--log-level', 'warn', '--secure-cookies'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out2 = '';
    again.stdout.on('data', (d: Buffer) => (out2 += d.toString()));
    try {
      const url = await waitFor('second start', () => /listening on (http:\/\/\S+)/.exec(out2)?.[1], 20_000);
      assert.ok(!/API token:/.test(out2));
      const login = await fetch(`${url}/api/dash/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password: /Admin password:\s+(\S+)/.exec(out)![1] }) });
      assert.equal(login.status, 200);
      assert.match(login.headers.get('set-cookie') ?? '', /; Secure/);
    } finally {
      again.kill('SIGTERM');
      await new Promise((r) => again.once('exit', r));
    }
  });
});

describe('breakwater server --local-agent', () => {
  const nodesOf = async (url: string, token: string) =>
    ((await (await fetch(`${url}/api/v1/nodes`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: { uuid: string; name: string; status: string; last_seen_at: string | null }[] }).data;
  const agentPids = (configPath: string) =>
    spawnSync('pgrep', ['-f', `agent run --config ${configPath}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

  test('enrols this machine once, runs the agent beside the server, and stops it with the server', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
    const dir = tmp();
    const configPath = join(dir, 'local-agent', 'agent.json');
    const start = () => {
      const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dir, '--log-level', 'warn', '--local-agent', '--agent-interface', 'lo'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out = { text: '' };
      child.stdout.on('data', (d: Buffer) => (out.text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out.text += d.toString()));
      return { child, out };
    };
    const stop = async (child: ReturnType<typeof spawn>) => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    };
    const first = start();
    let token = '';
    let uuid = '';
    try {
      const url = await waitFor('server to listen', () => /listening on (http:\/\/\S+)/.exec(first.out.text)?.[1], 20_000);
      token = /API token:\s+(\S+)/.exec(first.out.text)![1]!;
      await waitFor('local agent enrolled', () => /local agent: running/.test(first.out.text), 20_000);
      const node = await waitFor('the local node reporting', async () => (await nodesOf(url, token)).find((n) => n.last_seen_at !== null), 30_000);
      assert.match(node.name, /\(local\)$/);
      uuid = node.uuid;
      assert.equal(agentPids(configPath).length, 1, 'one agent process');
    } finally {
      await stop(first.child);
    }
    await waitFor('agent stopped with the server', () => agentPids(configPath).length === 0, 15_000);
    // The next start reuses the enrolment: still one node, the same one.
    const second = start();
    try {
      const url = await waitFor('second start', () => /listening on (http:\/\/\S+)/.exec(second.out.text)?.[1], 20_000);
      await waitFor('agent running again', () => /local agent: running/.test(second.out.text), 20_000);
      assert.ok(!/enrolled this machine/.test(second.out.text));
      const nodes = await nodesOf(url, token);
      assert.deepEqual(nodes.map((n) => n.uuid), [uuid]);
    } finally {
      await stop(second.child);
    }
    await waitFor('agent stopped again', () => agentPids(configPath).length === 0, 15_000);
  });

  test('--agent-interface needs --local-agent and a valid name', () => {
    const alone = run(['server', '--agent-interface', 'lo']);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--agent-interface: only with --local-agent/);
    const bad = run(['server', '--local-agent', '--agent-interface', 'eth0; reboot']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--agent-interface: must be an interface name/);
  });
});
