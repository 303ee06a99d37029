// The release tarball as an operator installs it: built by deploy/release/make-release.sh, checked
// against its .sha256, unpacked, and run with no Node.js on PATH (its own pinned runtime); the
// systemd units it ships point at its command and pass systemd's own hardening analysis.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '@breakwater/testing';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'bw-release-'));
after(() => rmSync(work, { recursive: true, force: true }));
let tarball = '';
let app = '';
// A PATH with only what the launcher itself uses: no node anywhere on it.
const bare = join(work, 'bare-bin');

before(() => {
  const r = spawnSync(join(ROOT, 'deploy', 'release', 'make-release.sh'), [join(work, 'out')], { encoding: 'utf8', timeout: 280_000, env: { ...process.env, BREAKWATER_RELEASE_GZIP: '1' } });
  assert.equal(r.status, 0, r.stderr);
  tarball = r.stdout.trim().split('\n').at(-1)!;
  mkdirSync(join(work, 'opt'));
  const x = spawnSync('tar', ['-C', join(work, 'opt'), '-xzf', tarball], { encoding: 'utf8' });
  assert.equal(x.status, 0, x.stderr);
  app = join(work, 'opt', 'breakwater');
  mkdirSync(bare);
  for (const tool of ['sh', 'dirname', 'readlink']) {
    const found = ['/bin', '/usr/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
    assert.ok(found, tool);
    symlinkSync(found, join(bare, tool));
  }
});

const env = () => ({ PATH: bare, HOME: work, LANG: 'C.UTF-8' });

test('the tarball matches its sha256 file and holds the pinned runtime, the dashboard and production dependencies only', { timeout: 300_000 }, () => {
  const sum = spawnSync('sha256sum', ['--check', `${tarball.split('/').at(-1)}.sha256`], { cwd: join(work, 'out'), encoding: 'utf8' });
  assert.equal(sum.status, 0, sum.stdout + sum.stderr);
  assert.match(tarball, /breakwater-\d+\.\d+\.\d+-linux-(x64|arm64)\.tar\.gz$/);
  const version = spawnSync(join(app, 'runtime', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  assert.match(version, /^v2[4-9]\./);
  assert.match(readFileSync(join(app, 'RELEASE'), 'utf8'), new RegExp(`node ${version.replace(/\./g, '\\.')} \\(runtime/bin/node\\)`));
  assert.ok(existsSync(join(app, 'apps', 'web', 'dist', 'index.html')), 'the dashboard is built in');
  assert.ok(existsSync(join(app, 'node_modules', 'fastify')), 'a production dependency is there');
  for (const dev of ['typescript', 'eslint', 'fast-check', 'vite']) assert.ok(!existsSync(join(app, 'node_modules', dev)), `${dev} (a dev dependency) is left out`);
  const tests = spawnSync('find', [join(app, 'apps'), join(app, 'packages'), '-name', '*.test.ts'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(tests, '', 'no test files');
  assert.ok(!existsSync(join(app, 'bench')));
});

test('with no Node.js on PATH the command runs on its own runtime: help, config check, and a server that serves the API and dashboard', { timeout: 120_000 }, async () => {
  const cmd = join(app, 'bin', 'breakwater');
  const help = spawnSync(cmd, ['--help'], { encoding: 'utf8', env: env() });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: breakwater <command>/);
  const check = spawnSync(cmd, ['config', 'check', '--server', join(app, 'deploy', 'config', 'server.example.json')], { encoding: 'utf8', env: env() });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /server\.example\.json: ok/);

  const data = join(work, 'data');
  const child = spawn(cmd, ['server', '--port', '0', '--data-dir', data, '--log-level', 'warn'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  try {
    const url = await waitFor('the released server to listen', () => /listening on (http:\/\/\S+)/.exec(text)?.[1] ?? (child.exitCode !== null ? `exited: ${text}` : undefined), 60_000);
    assert.match(url, /^http:/, url);
    const health = await fetch(`${url}/api/v1/health`);
    assert.equal(health.status, 200);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    assert.match(text, /Admin password:/, 'the first start printed the credentials');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.ok(existsSync(join(data, 'breakwater.db')));
});

test('the systemd units run the released command as a dedicated user and pass systemd-analyze security', { skip: !existsSync('/usr/bin/systemd-analyze') && 'systemd-analyze is not installed' }, () => {
  const units = readdirSync(join(app, 'deploy', 'systemd')).filter((f) => f.endsWith('.service'));
  assert.deepEqual(units.sort(), ['breakwater-agent.service', 'breakwater-collector.service', 'breakwater-server.service']);
  for (const unit of units) {
    const path = join(app, 'deploy', 'systemd', unit);
    const text = readFileSync(path, 'utf8');
    const exec = /^ExecStart=(\S+)/m.exec(text)?.[1];
    assert.equal(exec, '/opt/breakwater/bin/breakwater', `${unit}: runs the release's command`);
    assert.ok(existsSync(join(app, 'bin', 'breakwater')));
    assert.match(text, /^User=breakwater$/m, `${unit}: a dedicated user`);
    assert.match(text, /^NoNewPrivileges=true$/m);
    const caps = /^CapabilityBoundingSet=(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? null;
    assert.ok(caps !== null, `${unit}: bounds its capabilities`);
    const allowed = { 'breakwater-server.service': [], 'breakwater-agent.service': ['CAP_NET_ADMIN', 'CAP_NET_RAW'], 'breakwater-collector.service': ['CAP_NET_BIND_SERVICE'] }[unit]!;
    assert.deepEqual(caps, allowed, `${unit}: only the capabilities it needs`);
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', path], { encoding: 'utf8' });
    const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)?.[1]);
    assert.ok(level <= 3.5, `${unit}: exposure ${level} (systemd-analyze security), at most 3.5 expected\n${r.stdout.slice(-2000)}`);
  }
});
