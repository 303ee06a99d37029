// The command console on a node's page, in a real browser: the form is built from the server's
// registry (params as fields, a bad value refused beside its field), a command sent shows in the
// history and its result — exit code and output, acknowledged through the agent API as the agent
// does — appears without a reload; an operator's high-risk types are disabled, a viewer sends nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';


describe('the command console on a node page', () => {
  let t: TestServer;
  let browser: Browser;
  let node: { uuid: string; key: string };

  before(async () => {
    ensureBuilt();
    t = await startTestServer(sqliteBackend);
    browser = await launch();
    node = await t.deploy(t.admin, 'web-cmd-01', '203.0.113.80');
    await t.agent(node, 'POST', '/heartbeat', { version: '1.0.0', allow_raw_commands: true });
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  test('an admin sends a journal tail and a shell command; a bad unit is refused beside its field; results appear with exit code and output', async () => {
    const tab = await openTab(browser, t.url);
    try {
      await signIn(tab.page, t.admin.email, t.admin.password);
      await tab.page.goto(`/nodes/${node.uuid}`);
      const form = tab.page.getByRole('form', { name: 'Send a command' });
      await form.waitFor();
      await form.getByLabel('Type', { exact: true }).selectOption('journal_tail');
      await form.getByLabel('unit', { exact: true }).fill('-x');
      await form.getByLabel('lines', { exact: true }).fill('20');
      await form.getByRole('button', { name: 'Send command' }).click();
      const unitError = form.locator('[data-field-error="unit"]');
      await unitError.waitFor();
      assert.match(await unitError.innerText(), /^params\.unit: /);
      await form.getByLabel('unit', { exact: true }).fill('nginx');
      await form.getByRole('button', { name: 'Send command' }).click();
      await form.getByRole('status').filter({ hasText: /Queued: cmd_\d+ queued/ }).waitFor();

      await form.getByLabel('Type', { exact: true }).selectOption('shell');
      await form.getByLabel('command', { exact: true }).fill('df -h /');
      await form.getByRole('button', { name: 'Send command' }).click();
      await form.getByRole('status').waitFor();
      const history = (await t.request('GET', `/api/agents/${node.uuid}/commands`)).body as { command_id: string; type: string }[];
      assert.deepEqual(history.map((c) => c.type), ['shell', 'journal_tail']);
      const rows = tab.page.locator('table[aria-label="Command history"] tbody tr');
      await rows.nth(1).waitFor();
      assert.equal(await rows.nth(0).getAttribute('data-status'), 'pending');

      // The agent reports back (exit code, output) through the agent API; the console shows it while it polls.
      const [shell, journal] = history;
      await t.agent(node, 'POST', '/commands/ack', { command_id: shell!.command_id, status: 'applied', error: null, exit_code: 0, output: 'Filesystem Size Used\n/dev/root 20G 5G\n' });
      await t.agent(node, 'POST', '/commands/ack', { command_id: journal!.command_id, status: 'failed', error: 'exit code 1', exit_code: 1, output: 'No journal files were found.\n' });
      const done = tab.page.locator(`tr[data-command="${shell!.command_id}"][data-status="applied"]`);
      await done.waitFor({ timeout: 10_000 });
      assert.equal(await done.locator('[data-exit-code]').innerText(), '0');
      await done.locator('summary').click();
      assert.match(await done.locator('pre.command-output').innerText(), /\/dev\/root 20G 5G/);
      const failed = tab.page.locator(`tr[data-command="${journal!.command_id}"][data-status="failed"]`);
      await failed.waitFor();
      assert.equal(await failed.locator('[data-exit-code]').innerText(), '1');
      assert.match(await failed.innerText(), /exit code 1/);
      await shot(tab.page, 'node-commands-admin');
      assert.deepEqual(tab.problems.filter((p) => !/400/.test(p)), []);
    } finally {
      await tab.context.close();
    }
  });

  test('an operator sees high-risk types disabled; a viewer reads the history and sends nothing', async () => {
    const op = await openTab(browser, t.url);
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      await op.page.goto(`/nodes/${node.uuid}`);
      const form = op.page.getByRole('form', { name: 'Send a command' });
      await form.waitFor();
      await form.getByLabel('Type', { exact: true }).selectOption('shell');
      const button = form.getByRole('button', { name: 'Not allowed for your role' });
      assert.equal(await button.isDisabled(), true);
      assert.match(await form.getByLabel('Type', { exact: true }).locator('option[value="shell"]').innerText(), /high risk \(admin\) \(not for your role\)/);
      await form.getByLabel('Type', { exact: true }).selectOption('service_status');
      await form.getByLabel('unit', { exact: true }).fill('sshd');
      await form.getByRole('button', { name: 'Send command' }).click();
      await form.getByRole('status').filter({ hasText: /queued/ }).waitFor();
      await shot(op.page, 'node-commands-operator');
    } finally {
      await op.context.close();
    }
    const viewer = await openTab(browser, t.url);
    try {
      await signIn(viewer.page, 'vic@example.com', 'viewer-password-123');
      await viewer.page.goto(`/nodes/${node.uuid}`);
      await viewer.page.getByText('Your role may read the history but send no commands.').waitFor();
      assert.equal(await viewer.page.getByRole('form', { name: 'Send a command' }).count(), 0);
      await viewer.page.locator('table[aria-label="Command history"] tbody tr').nth(2).waitFor();
      await shot(viewer.page, 'node-commands-viewer');
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.context.close();
    }
  });
});
