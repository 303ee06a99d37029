// Adding agents in a browser: an admin registers an SSH key (shown masked with the fingerprint
// ssh-keygen prints), deploys to a real sshd on loopback whose host key does not match the pinned
// one (refused; the job's steps show where), and makes an install one-liner that works once; an
// operator sees only the one-liner box, a viewer neither.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend, waitFor } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };

function keygen(dir: string, name: string) {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', f]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`]).toString().split(' ')[1]!;
  return { priv: readFileSync(f, 'utf8'), pub: readFileSync(`${f}.pub`, 'utf8'), fingerprint };
}

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

describe('adding agents in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let dir: string;
  let sshd: ChildProcess;
  let sshPort: number;
  let hostKey: { fingerprint: string };
  let userKey: { priv: string; fingerprint: string };
  let wrongKey: { fingerprint: string };

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'bw-web-deploy-'));
    hostKey = keygen(dir, 'host_key');
    wrongKey = keygen(dir, 'other_key');
    userKey = keygen(dir, 'deploy_key');
    sshPort = await freePort();
    // A real sshd on loopback: the deploy below is refused at its host key, so nothing ever logs in.
    writeFileSync(join(dir, 'sshd_config'), [`Port ${sshPort}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', ''].join('\n'));
    execFileSync('mkdir', ['-p', '/run/sshd']);
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
    await waitFor('sshd on loopback', () => new Promise<boolean>((resolve) => {
      const s = connect(sshPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    }), 10_000, 50);
    // The operator's config lets deploys reach loopback (the test's sshd).
    t = await startTestServer(sqliteBackend, { outbound: { deploy: ['loopback'] } });
    browser = await launch();
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    if (sshd?.exitCode === null) sshd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('an admin registers a key (masked, fingerprinted), is refused a host whose key does not match, and sees the job\'s steps', async () => {
    const tab = await openTab(browser, t.url);
    try {
      await signIn(tab.page, t.admin.email, t.admin.password);
      await tab.page.getByRole('link', { name: 'Add agents' }).click();
      await tab.page.getByRole('heading', { name: 'Deploy over SSH' }).waitFor();

      const keyForm = tab.page.getByRole('form', { name: 'Register an SSH key' });
      await keyForm.getByLabel('Key name').fill('ops');
      await keyForm.getByLabel('Private key').fill('not a key at all, but long enough to be read as one: ' + 'x'.repeat(40));
      await keyForm.getByRole('button', { name: 'Register key' }).click();
      await keyForm.locator('[data-field-error="Private key"]').waitFor();
      assert.match(await keyForm.locator('[data-field-error="Private key"]').innerText(), /^private_key: must be an OpenSSH or PEM private key/);
      await keyForm.getByLabel('Private key').fill(userKey.priv);
      await keyForm.getByRole('button', { name: 'Register key' }).click();
      const row = tab.page.locator('[data-table="ssh-keys"] tr[data-key="ops"]');
      await row.waitFor();
      assert.match(await row.innerText(), new RegExp(userKey.fingerprint.replace(/[+/]/g, '\\$&')));
      assert.match(await row.innerText(), /••••••••/);
      assert.doesNotMatch(await tab.page.content(), /OPENSSH PRIVATE KEY-----\n/);

      await tab.page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
      await tab.page.getByLabel('SSH port').fill(String(sshPort));
      await tab.page.getByLabel('Host key fingerprint').fill(wrongKey.fingerprint);
      await tab.page.getByLabel('Label').first().fill('web-09');
      await tab.page.getByRole('button', { name: 'Deploy agent' }).click();
      const problem = tab.page.locator('form[aria-busy] .problem[role="alert"]');
      await problem.waitFor();
      assert.match(await problem.innerText(), new RegExp(`^host key of 127\\.0\\.0\\.1:${sshPort} is ${hostKey.fingerprint.replace(/[+/]/g, '\\$&')}, not the pinned`));
      const job = tab.page.locator('.deploy-steps[data-status="failed"]');
      await job.waitFor();
      assert.equal(await job.locator('[data-step="connect"]').getAttribute('data-state'), 'done');
      assert.equal(await job.locator('[data-step="host_key"]').getAttribute('data-state'), 'failed');
      assert.equal(await job.locator('[data-step="install"]').getAttribute('data-state'), 'skipped');
      await shot(tab.page, 'fleet-deploy-admin');
      assert.deepEqual(tab.problems.filter((p) => !/409/.test(p)), []);
    } finally {
      await tab.context.close();
    }
  });

  test('the install one-liner box: a single-use command an operator can make; it works once; a viewer gets neither', async () => {
    const op = await openTab(browser, t.url);
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      await op.page.getByRole('link', { name: 'Add agents' }).click();
      await op.page.getByRole('heading', { name: 'Add an agent with the install one-liner' }).waitFor();
      assert.equal(await op.page.getByRole('heading', { name: 'Deploy over SSH' }).count(), 0, 'deploying is for admins');
      assert.equal(await op.page.getByRole('heading', { name: 'SSH keys' }).count(), 0);
      const form = op.page.getByRole('form', { name: 'Create an install command' });
      await form.getByLabel('Label').fill('rack 7');
      await form.getByLabel('Valid for (minutes)').fill('0');
      await form.getByRole('button', { name: 'Create install command' }).click();
      await form.locator('[data-field-error]').waitFor();
      assert.match(await form.locator('[data-field-error]').innerText(), /ttl_seconds/);
      await form.getByLabel('Valid for (minutes)').fill('30');
      await form.getByRole('button', { name: 'Create install command' }).click();
      const cmd = (await op.page.locator('[data-install-command]').innerText()).trim();
      assert.match(cmd, new RegExp(`^curl -fsSL '${t.url.replace(/\./g, '\\.')}/api/agents/install-script\\?key=bwe_[0-9a-f]{64}' \\| sh$`));
      const row = op.page.locator('[data-table="enrolment-keys"] tr[data-state="unused"]');
      await row.waitFor();
      await shot(op.page, 'fleet-deploy-operator');
      const link = /'([^']+)'/.exec(cmd)![1]!;
      assert.equal((await fetch(link)).status, 200);
      assert.equal((await fetch(link)).status, 410, 'once only');
      await op.page.reload();
      await op.page.locator('[data-table="enrolment-keys"] tr[data-state="used"]').waitFor();
      assert.deepEqual(op.problems, []);
    } finally {
      await op.context.close();
    }
    const viewer = await openTab(browser, t.url);
    try {
      await signIn(viewer.page, 'vic@example.com', 'viewer-password-123');
      await viewer.page.goto('/fleet/deploy');
      await viewer.page.getByText('Adding agents needs the operator role').waitFor();
      assert.equal(await viewer.page.getByRole('button', { name: /Create install command|Deploy agent/ }).count(), 0);
      const refused = await viewer.page.evaluate(async (h) => (await fetch('/api/agents/enrolment-keys', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{}' })).status, CSRF);
      assert.equal(refused, 403);
    } finally {
      await viewer.context.close();
    }
  });
});
