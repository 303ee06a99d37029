// The four profile firewalls with the real tools, each step (apply, a second apply, a failed
// apply, rollback, rollback) in a new agent process over the same spool dir, so the state before
// a profile must come back from the spool file: inside a private mount+net namespace (a holder
// process made by unshare, entered with nsenter) with private copies of /etc/ufw,
// /etc/default/ufw and /etc/firewalld, so the host's firewall and config are never touched.
// ufw runs for real (its iptables rules in the private namespace); firewalld has no daemon here,
// so its profile goes through firewall-offline-cmd into the private /etc/firewalld.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FirewallSuite } from '@breakwater/contracts';
import { waitFor } from '@breakwater/testing';
import { profileMemoryFile } from './profile-memory.ts';

const FIXTURE = fileURLToPath(new URL('../testing/profile-suite-fixture.ts', import.meta.url));

/** What each suite's namespace holds before any profile: the operator's own rules. */
function setup(suite: FirewallSuite, dir: string): string[] {
  switch (suite) {
    case 'ufw':
      return [`mkdir ${dir}/ufw`, `cp -a /etc/ufw/. ${dir}/ufw/`, `cp -a /etc/default/ufw ${dir}/default-ufw`, `mount --bind ${dir}/ufw /etc/ufw`, `mount --bind ${dir}/default-ufw /etc/default/ufw`,
        'ufw --force reset >/dev/null', `rm -f /etc/ufw/*.rules.[0-9]* /etc/ufw/*.rules.*_*`, 'ufw --force enable >/dev/null', 'ufw allow 9/tcp >/dev/null',
        // ufw's steady state for these files: a reload fills ufw6-user-limit, which the first enable leaves empty.
        'ufw reload >/dev/null'];
    case 'firewalld':
      return [`mkdir ${dir}/firewalld`, `cp -a /etc/firewalld/. ${dir}/firewalld/`, `mount --bind ${dir}/firewalld /etc/firewalld`];
    case 'nftables':
      return ['nft "add table inet operator; add chain inet operator input { type filter hook input priority 0; policy accept; }; add rule inet operator input tcp dport 9 accept"'];
    case 'iptables':
      return ['iptables -A INPUT -p tcp --dport 9 -j ACCEPT'];
  }
}

const SEEN: Record<FirewallSuite, { first: RegExp; second: RegExp }> = {
  ufw: { first: /^25565\/tcp +ALLOW IN +Anywhere/m, second: /^2087\/tcp +ALLOW IN +Anywhere/m },
  firewalld: { first: /ports: .*25565\/tcp/, second: /ports: .*2087\/tcp/ },
  nftables: { first: /\b25565\b/, second: /\b2087\b/ },
  iptables: { first: /\b25565\b/, second: /\b2087\b/ },
};

interface Step {
  ok: boolean;
  error: string | null;
  out: unknown;
}

/** A private mount+net namespace prepared by `lines` (a holder process), and one fixture step at a time in it. */
async function inNamespace(suite: FirewallSuite, lines: (dir: string) => string[], body: (step: (action: string, profile?: string) => Step, spool: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bw-${suite}-`));
  const spool = join(dir, 'spool');
  const script = ['set -e', 'mount --make-rprivate /', `mkdir -m 700 ${spool}`, ...lines(dir), 'echo ready', 'exec sleep 900'].join('\n');
  const holder = spawn('unshare', ['--mount', '--net', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  holder.stdout.on('data', (d: Buffer) => (said += d.toString()));
  holder.stderr.on('data', (d: Buffer) => (said += d.toString()));
  try {
    await waitFor('the namespace is ready', () => said.includes('ready') || holder.exitCode !== null, 60_000);
    assert.match(said, /ready/, said);
    await body((action, profile = '') => {
      const r = spawnSync('nsenter', ['-t', String(holder.pid), '-m', '-n', '-r', '-w', process.execPath, FIXTURE, suite, spool, action, profile], { encoding: 'utf8', timeout: 300_000 });
      assert.equal(r.status, 0, `${action}: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Step;
    }, spool);
  } finally {
    holder.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const suite of ['ufw', 'firewalld', 'nftables', 'iptables'] as const) {
  const tool = { ufw: '/usr/sbin/ufw', firewalld: '/usr/bin/firewall-offline-cmd', nftables: '/usr/sbin/nft', iptables: '/usr/sbin/iptables-restore' }[suite];
  test(`${suite} profile firewall: apply, replace, (ufw, firewalld) a refused apply, then rollback twice, each in a new agent process: the state before comes back byte for byte from the spool`, { skip: !existsSync(tool) && `${tool} is not installed`, timeout: 600_000 }, async () => {
    await inNamespace(suite, (dir) => setup(suite, dir), async (step, spool) => {
      const state = () => step('state').out;

      const original = state();
      assert.deepEqual(step('apply', 'game_server'), { ok: true, error: null, out: null });
      const listing = step('listing').out as string;
      assert.match(listing, SEEN[suite].first, 'game_server is in');
      assert.match(listing, /198\.18\.3\.1/, 'the management path is in');
      const withGame = state();
      assert.notDeepEqual(withGame, original);
      const file = profileMemoryFile(spool, suite);
      assert.equal(statSync(file).mode & 0o777, 0o600, 'the saved state is private');
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).previous.length, 1);

      if (suite === 'ufw' || suite === 'firewalld') {
        const bad = step('apply-bad', 'hosting_provider');
        assert.equal(bad.ok, false);
        assert.match(bad.error!, suite === 'ufw' ? /ufw failed/ : /firewall-offline-cmd failed/);
        assert.deepEqual(state(), withGame, 'a failed apply leaves game_server as it was');
      }

      assert.equal(step('apply', 'hosting_provider').ok, true);
      const second = step('listing').out as string;
      assert.match(second, SEEN[suite].second, 'hosting_provider is in');
      assert.doesNotMatch(second, SEEN[suite].first, 'it replaced game_server');

      assert.deepEqual(step('rollback'), { ok: true, error: null, out: null });
      assert.deepEqual(state(), withGame, 'the first rollback brings game_server back');
      assert.deepEqual(step('rollback'), { ok: true, error: null, out: null });
      assert.deepEqual(state(), original, 'the second rollback: as before any profile, byte for byte');
      assert.deepEqual(step('rollback'), { ok: true, error: null, out: null }, 'nothing more to undo: a no-op');
      assert.deepEqual(state(), original);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).previous.length, 0);
    });
  });
}

test('ufw profile firewall on a host where ufw was off: the profile enables it, rollback (a new agent process) disables it and its files are as before', { skip: !existsSync('/usr/sbin/ufw') && 'ufw is not installed', timeout: 600_000 }, async () => {
  const lines = (dir: string) => [...setup('ufw', dir).filter((l) => !/enable|allow|reload/.test(l)), 'ufw --force disable >/dev/null'];
  await inNamespace('ufw', lines, async (step) => {
    const files = () => (step('state').out as { files: unknown }).files;
    const before = files();
    assert.match(step('listing').out as string, /^Status: inactive/m);
    assert.equal(step('apply', 'small_operator').ok, true);
    assert.match(step('listing').out as string, /^Status: active/m);
    assert.deepEqual(step('rollback'), { ok: true, error: null, out: null });
    assert.match(step('listing').out as string, /^Status: inactive/m);
    assert.deepEqual(files(), before, 'user.rules, user6.rules, ufw.conf and /etc/default/ufw byte for byte');
  });
});
