// The server's config file and `breakwater config check`, as an operator uses them: real
// processes, real files; the file below flags and environment, every mistake named by file and key.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waitFor } from '@breakwater/testing';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'breakwater.mjs');
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'bw-config-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const file = (dir: string, name: string, body: unknown, mode = 0o600) => {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body), { mode });
  return p;
};

async function listen(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'server', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  try {
    return await waitFor('the server to listen or exit', () => (/listening on \S+ \(storage: sqlite (\S+)\)/.exec(text)?.[1]) ?? (child.exitCode !== null ? `exited: ${text}` : undefined), 30_000);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}

test('the file sets what flags and environment leave out; a flag wins over the file; BREAKWATER_CONFIG names it', { timeout: 90_000 }, async () => {
  const d = tmp();
  const cfg = file(d, 'server.json', { port: 0, dataDir: join(d, 'from-file'), logLevel: 'warn', retention: { rawHours: 12 }, outbound: { channels: { webhook: ['loopback'] } } });
  assert.equal(await listen(['--config', cfg]), join(d, 'from-file', 'breakwater.db'));
  assert.equal(await listen(['--data-dir', join(d, 'from-flag')], { BREAKWATER_CONFIG: cfg }), join(d, 'from-flag', 'breakwater.db'));
  assert.equal(await listen([], { BREAKWATER_CONFIG: cfg, BREAKWATER_DATA_DIR: join(d, 'from-env') }), join(d, 'from-env', 'breakwater.db'));
});

test('a bad file is refused with the file and the key named, and what is allowed; the server does not start', async () => {
  const { readServerConfigFile, resolveConfig } = await import('@breakwater/server');
  const d = tmp();
  const cases: [unknown, RegExp][] = [
    [{ retention: { rawHourz: 3 } }, /server\.json: unknown key "retention\.rawHourz" \(allowed: rawHours, minuteDays, hourDays\)/],
    [{ colour: 'blue' }, /server\.json: unknown key "colour" \(allowed: host, port,/],
    [{ retention: { rawHours: 0 } }, /: config retention\.rawHours: must be an integer/],
    [{ port: 'eighty' }, /: config port: must be an integer/],
    [{ outbound: { channels: { webhook: ['everywhere'] } } }, /: config outbound\.channels\.webhook/],
    ['{"port": 80,', /server\.json: not valid JSON/],
    ['[1, 2]', /server\.json: must be a JSON object/],
    [null, /server\.json: must be a JSON object/],
  ];
  for (const [body, message] of cases) {
    const p = file(d, 'server.json', body === null ? 'null' : body);
    assert.throws(() => resolveConfig(readServerConfigFile(p)), message, JSON.stringify(body));
  }
  assert.throws(() => readServerConfigFile(join(d, 'nope.json')), /nope\.json: cannot be read \(ENOENT\)/);
  // The server names the file and the key, and stops before opening anything.
  const r = run(['server', '--config', file(d, 'server.json', { retention: { rawHours: 0 } }), '--data-dir', join(d, 'data')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /server\.json: retention\.rawHours: must be an integer from 1 to 8760, got 0/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  assert.ok(!existsSync(join(d, 'data', 'breakwater.db')), 'nothing was started');
});

test('config check: each kind checked as its program reads it; exit 1 when any is wrong', () => {
  const d = tmp();
  const server = file(d, 'server.json', { port: 8443, host: '0.0.0.0', dataDir: '/var/lib/breakwater-server' });
  const agentBody = { server_url: 'https://bw.example.net', node_uuid: '7a1c3e2b-5d4f-4e6a-9b8c-0d1e2f3a4b5c', api_key: 'x'.repeat(40), interface: 'eth0' };
  const good = run(['config', 'check', '--server', server]);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /server\.json: ok \(server: listens on 0\.0\.0\.0:8443, storage SQLite in \/var\/lib\/breakwater-server\)/);

  const badServer = file(d, 'bad-server.json', { mitigation: { tickMs: 1 } });
  const agentOpen = file(d, 'agent.json', agentBody, 0o644);
  const r = run(['config', 'check', '--server', badServer, '--agent', agentOpen, '--collector', join(d, 'collector.json')]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /bad-server\.json: mitigation\.tickMs: must be an integer from 50 to 60000, got 1/);
  assert.match(r.stdout, /agent\.json: holds the node key but is readable by others \(mode 644\)/);
  assert.match(r.stdout, /collector\.json: no such file/);

  assert.match(run(['config', 'frob']).stderr, /allowed: check/);
  assert.match(run(['config', 'check', '--nope', 'x']).stderr, /allowed flags: --server, --agent, --collector/);
  if (!existsSync('/etc/breakwater')) {
    const none = run(['config', 'check']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no config file to check/);
  }
});
