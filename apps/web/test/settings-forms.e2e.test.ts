// Settings in a browser, through forms drawn from the contracts' schemas: an operator adds a webhook
// channel through its form (a wrong value shows the API's message at that field, with focus there),
// edits it without retyping its secret (the masked value keeps the stored one), sends a test and
// reads the delivery's outcome from a real local receiver, reads the history, and adds and deletes a
// maintenance window; an admin saves workspace settings (IOC patterns as fields); a viewer sees no
// button to change anything; every change is in the audit log. Phone width and dark theme shot too.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const SECRET = 'a-long-signing-secret-0123456789';

describe('settings forms in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let receiver: Server;
  let hookUrl = '';
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];

  before(async () => {
    ensureBuilt();
    // The webhook channel's receiver: our own protocol (a JSON POST), answered 200 as a receiver would.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    t = await startTestServer(sqliteBackend, { outbound: { channels: { webhook: ['loopback'] } } });
    browser = await launch();
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    receiver?.close();
  });

  test('an operator adds a channel through its form, the API\'s message at the field, then tests it and reads the outcome', async () => {
    const op = await openTab(browser, t.url);
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      const page = op.page;
      await page.goto('/settings/channels');
      const form = page.getByRole('region', { name: 'Add a channel' });
      await form.getByLabel('Type').selectOption('webhook');
      await form.getByLabel('name', { exact: true }).fill('noc-hook');
      await form.getByLabel('min severity').selectOption('high');
      await form.getByLabel('url', { exact: true }).fill('ftp://not-a-web-address');
      assert.equal(await form.getByLabel('secret', { exact: true }).getAttribute('type'), 'password', 'a secret is typed unseen');
      assert.match((await form.locator('.field', { has: page.getByLabel('secret', { exact: true }) }).locator('.hint').textContent()) ?? '', /16–512 characters · optional/, 'the bounds are the hint');
      await form.getByLabel('secret', { exact: true }).fill(SECRET);
      await form.getByLabel('headers', { exact: true }).fill('{"x-team": ');
      await form.getByRole('button', { name: 'Add channel' }).click();
      assert.equal(await form.locator('[data-field-error="headers"]').textContent(), 'config.headers: not valid JSON', 'JSON is checked at its field before sending');
      await form.getByLabel('headers', { exact: true }).fill('{"x-team": "noc"}');
      await form.getByLabel('name', { exact: true }).press('Enter');
      const urlError = form.locator('[data-field-error="url"]');
      await urlError.waitFor();
      assert.match((await urlError.textContent()) ?? '', /^config\.url: /, 'the API\'s own message, at the field it names');
      assert.equal(await page.evaluate('document.activeElement?.getAttribute("name")'), 'channel.config.url', 'focus goes to the field in error');
      await shot(page, 'settings-channel-form-error');
      await form.getByLabel('url', { exact: true }).fill(hookUrl);
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = page.locator('tr[data-channel="noc-hook"]');
      await row.waitFor();
      const stored = (await t.request('GET', '/api/v1/channels')).body.data.find((c: { name: string }) => c.name === 'noc-hook');
      assert.equal(stored.type, 'webhook');
      assert.equal(stored.min_severity, 'high');
      assert.equal(stored.config.url, hookUrl);

      // Edit: the secret shows its mask and, left untouched, keeps the stored value.
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('region', { name: 'Edit channel noc-hook' });
      assert.match(await edit.getByLabel('secret', { exact: true }).inputValue(), /^\*{4}/);
      await edit.getByLabel('min severity').selectOption('critical');
      await edit.getByRole('button', { name: 'Save channel' }).click();
      await page.getByRole('region', { name: 'Add a channel' }).waitFor();
      await row.locator('td', { hasText: 'critical' }).waitFor();

      await row.getByRole('button', { name: 'Send test' }).click();
      const outcome = page.locator('[data-test-outcome="delivered"]');
      await outcome.waitFor({ timeout: 15_000 });
      assert.match((await outcome.textContent()) ?? '', /delivered · HTTP 200 · \d+ ms · 1 attempt/);
      assert.equal(received.length, 1, 'one test message reached the receiver');
      assert.ok(received[0]!.headers['x-breakwater-signature'], 'signed with the kept secret');
      assert.equal(received[0]!.headers['x-team'], 'noc');
      await row.getByRole('button', { name: 'History' }).click();
      await page.locator('[data-table="deliveries"] tr[data-delivery="delivered"]').waitFor();
      await shot(page, 'settings-channels');
      assert.deepEqual(op.problems, []);
    } finally {
      await op.context.close();
    }
  });

  test('an operator adds and deletes a maintenance window; a bad end is refused at its field', async () => {
    const op = await openTab(browser, t.url, { width: 390, height: 844 }, 'dark');
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      const page = op.page;
      await page.goto('/settings/channels');
      const section = page.getByRole('region', { name: 'Maintenance windows' });
      await section.getByRole('button', { name: 'Add window' }).waitFor({ timeout: 30_000 });
      const pad = (n: number) => String(n).padStart(2, '0');
      const local = (ms: number) => { const d = new Date(ms); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`; };
      const now = Date.now();
      await section.getByLabel('name', { exact: true }).fill('kernel upgrade');
      await section.getByLabel('starts at').fill(local(now + 3_600_000));
      await section.getByLabel('ends at').fill(local(now + 1_800_000));
      await section.getByRole('button', { name: 'Add window' }).click();
      const endError = section.locator('[data-field-error="ends at"]');
      await endError.waitFor();
      assert.equal(await endError.textContent(), 'ends_at: must be after starts_at');
      await shot(page, 'settings-maintenance-error-phone-dark');
      await section.getByLabel('ends at').fill(local(now + 7_200_000));
      await section.getByRole('button', { name: 'Add window' }).click();
      const row = section.locator('tr[data-window="kernel upgrade"]');
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /every node.*upcoming/);
      const w = (await t.request('GET', '/api/v1/maintenance-windows')).body.data[0];
      assert.equal(Date.parse(w.ends_at) - Date.parse(w.starts_at), 3_600_000, 'the local times typed are the instants stored');
      await shot(page, 'settings-maintenance-phone-dark');
      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
      assert.deepEqual(op.problems, []);
    } finally {
      await op.context.close();
    }
  });

  test('an admin saves workspace settings, IOC patterns as fields', async () => {
    const admin = await openTab(browser, t.url);
    try {
      await signIn(admin.page, t.admin.email, t.admin.password);
      const page = admin.page;
      await page.goto('/settings/workspace');
      const form = page.locator('form[data-form="workspace."]');
      await form.getByLabel('rate limit per minute').fill('600');
      await form.getByLabel('node quota').fill('0');
      await form.getByLabel('attack cooldown').fill('120');
      await form.getByRole('button', { name: 'Add ioc patterns' }).click();
      const pattern = form.locator('fieldset[data-path="settings.ioc_patterns.0"]');
      await pattern.getByLabel('id', { exact: true }).fill('mirai-1');
      await pattern.getByLabel('hex', { exact: true }).fill('zz');
      await form.getByRole('button', { name: 'Save settings' }).click();
      const quota = form.locator('[data-field-error="node quota"]');
      await quota.waitFor();
      assert.match((await quota.textContent()) ?? '', /^node_quota: must be >= 1/);
      await form.getByLabel('node quota').fill('50');
      await form.getByRole('button', { name: 'Save settings' }).click();
      const hex = pattern.locator('[data-field-error="hex"]');
      await hex.waitFor();
      assert.match((await hex.textContent()) ?? '', /^settings\.ioc_patterns\.0\.hex: /, 'a key inside a list of objects lands on its field');
      await shot(page, 'settings-workspace-error');
      await pattern.getByLabel('hex', { exact: true }).fill('deadbeef');
      await form.getByRole('button', { name: 'Save settings' }).click();
      await page.locator('[data-saved]').waitFor();
      const cookie = await t.login(t.admin.email, t.admin.password);
      const ws = await t.request('GET', '/api/dash/workspace', { token: null, headers: { cookie } });
      assert.equal(ws.body.data.rate_limit_per_minute, 600);
      assert.equal(ws.body.data.node_quota, 50);
      assert.equal(ws.body.data.settings.attack_cooldown, 120);
      assert.deepEqual(ws.body.data.settings.ioc_patterns, [{ id: 'mirai-1', hex: 'deadbeef' }]);
      await form.locator('fieldset[data-path="settings.ioc_patterns.0"]').waitFor();
      assert.equal(await form.getByLabel('rate limit per minute').inputValue(), '600', 'the form shows what is stored');
      await shot(page, 'settings-workspace');
      assert.deepEqual(admin.problems, []);
    } finally {
      await admin.context.close();
    }
  });

  test('a viewer sees channels, deliveries and windows but no button to change them; every change is audited', async () => {
    await t.request('POST', '/api/v1/maintenance-windows', { body: { name: 'viewer can see', starts_at: new Date(Date.now() + 3_600_000).toISOString(), ends_at: new Date(Date.now() + 7_200_000).toISOString() } });
    const viewer = await openTab(browser, t.url);
    try {
      await signIn(viewer.page, 'vic@example.com', 'viewer-password-123');
      const page = viewer.page;
      await page.goto('/settings/channels');
      const row = page.locator('tr[data-channel="noc-hook"]');
      await row.waitFor();
      await page.locator('tr[data-window="viewer can see"]').waitFor();
      await row.getByRole('button', { name: 'History' }).click();
      await page.locator('[data-table="deliveries"]').waitFor();
      for (const name of ['Send test', 'Edit', 'Disable', 'Delete', 'Add channel', 'Add window']) assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${name} for a viewer`);
      assert.equal(await page.locator('form').count(), 0, 'no form at all');
      assert.equal(await page.getByRole('link', { name: 'Workspace' }).count(), 0, 'workspace settings are for admins');
      await shot(page, 'settings-channels-viewer');
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.context.close();
    }
    const cookie = await t.login(t.admin.email, t.admin.password);
    const audit = await t.request('GET', '/api/dash/audit?limit=100', { token: null, headers: { cookie } });
    assert.equal(audit.status, 200);
    const actions = (audit.body.data as { action: string; actor: string }[]).map((a) => `${a.action} ${a.actor}`);
    for (const want of [/^channel\.create .*olga@example\.com/, /^channel\.update .*olga@example\.com/, /^channel\.test .*olga@example\.com/, /^maintenance\.create .*olga@example\.com/, /^maintenance\.delete .*olga@example\.com/, /^workspace\.update /]) {
      assert.ok(actions.some((a) => want.test(a)), `${want} in ${actions.join(' | ')}`);
    }
  });
});
