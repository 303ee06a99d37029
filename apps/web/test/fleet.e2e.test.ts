// The fleet in a real browser against a real server and a real agent (joined over its
// WebSocket): the fleet page lists agents with status, tags and the host metrics the agent
// reported; on a node's page the live log viewer shows a line appended on the agent's host,
// a path outside the agent's roots is refused beside its field, a file comes down and goes up
// with its sha256; a viewer sees neither, nor the Remove button; an admin removes an agent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startFleetBed, type FleetBed } from '@breakwater/agent/testing';
import { waitFor } from '@breakwater/testing';
import { ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the fleet page, live logs and file transfer', () => {
  let bed: FleetBed;
  let browser: Browser;

  before(async () => {
    ensureBuilt();
    bed = await startFleetBed();
    browser = await launch();
    const t = bed.t;
    await t.request('PATCH', `/api/v1/nodes/${bed.node.uuid}`, { body: { tags: ['web', 'production'] } });
    const cookie = await t.login(t.admin.email, t.admin.password);
    const u = await t.request('POST', '/api/dash/users', { token: null, headers: { cookie, ...CSRF }, body: { email: 'vic@example.com', name: 'Vic', role: 'viewer', password: 'viewer-password-123' } });
    assert.equal(u.status, 201, JSON.stringify(u.body));
    await waitFor('the agent\'s host report', async () => (await t.request('GET', `/api/agents/${bed.node.uuid}`)).body.metrics.host.reported_at !== null, 10_000);
  });
  after(async () => {
    await browser?.close();
    await bed?.stop();
  });

  test('an admin: the fleet page, then live logs and files on the node page', async () => {
    const tab = await openTab(browser, bed.t.url);
    try {
      await signIn(tab.page, bed.t.admin.email, bed.t.admin.password);
      await tab.page.getByRole('link', { name: 'Fleet', exact: true }).click();
      const row = tab.page.locator(`table[aria-label="Agents"] tr[data-agent="${bed.node.uuid}"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'online');
      assert.match(await row.innerText(), /web[\s\S]*production/);
      for (const m of ['cpu', 'mem', 'disk']) assert.match(await row.locator(`[data-metric="${m}"]`).innerText(), /\d+(\.\d)? %/, m);
      await shot(tab.page, 'fleet-admin');

      await row.getByRole('link').first().click();
      const logs = tab.page.getByRole('form', { name: 'Stream logs' });
      await logs.waitFor();
      // refused beside its field: outside the agent's roots
      await logs.getByLabel('Source').selectOption('file');
      await logs.getByLabel('Path').fill('/etc/hostname');
      await logs.getByRole('button', { name: 'Start' }).click();
      const pathError = logs.locator('[data-field-error="Path"]');
      await pathError.waitFor();
      assert.match(await pathError.innerText(), /^path: .*outside the roots/);

      const file = join(bed.root, 'app.log');
      writeFileSync(file, 'before\n');
      await logs.getByLabel('Path').fill(file);
      await logs.getByRole('button', { name: 'Start' }).click();
      await tab.page.locator('[data-stream-state="live"]').waitFor();
      const t0 = Date.now();
      appendFileSync(file, 'GET /index.html 200\n');
      await tab.page.locator('pre.log-view .log-line', { hasText: 'GET /index.html 200' }).waitFor({ timeout: 5000 });
      const seen = Date.now() - t0;
      assert.ok(seen < 1000, `the line showed within 1 s (${seen} ms)`);
      await shot(tab.page, 'node-live-logs');
      await tab.page.getByRole('button', { name: 'Stop' }).click();

      // download
      const data = Buffer.from(`config ${Math.random()}\n`.repeat(200));
      writeFileSync(join(bed.root, 'site.conf'), data);
      const down = tab.page.getByRole('form', { name: 'Download a file' });
      await down.getByLabel('Path on the agent').fill(join(bed.root, 'site.conf'));
      const [dl] = await Promise.all([tab.page.waitForEvent('download'), down.getByRole('button', { name: 'Download' }).click()]);
      const saved = readFileSync(await dl.path());
      assert.ok(saved.equals(data), 'the downloaded file is byte-identical');
      assert.match(await tab.page.locator('[data-download]').innerText(), new RegExp(sha(data)));
      // upload
      const up = tab.page.getByRole('form', { name: 'Upload a file' });
      const body = Buffer.from('uploaded from the browser\n');
      await up.getByLabel('File', { exact: true }).setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: body });
      await up.getByLabel('Destination on the agent').fill(join(bed.root, 'hello.txt'));
      await up.getByRole('button', { name: 'Upload' }).click();
      await tab.page.locator('[data-upload]').waitFor();
      assert.match(await tab.page.locator('[data-upload]').innerText(), new RegExp(sha(body)));
      assert.ok(readFileSync(join(bed.root, 'hello.txt')).equals(body));
      // refused upload: the agent's own config
      await up.getByLabel('Destination on the agent').fill(bed.configPath);
      await up.getByRole('button', { name: 'Upload' }).click();
      const destError = up.locator('[data-field-error="Destination on the agent"]');
      await destError.waitFor();
      assert.match(await destError.innerText(), /^dest: .*belongs to the agent itself/);
      assert.ok(readFileSync(bed.configPath, 'utf8').includes(bed.node.key), 'the config is untouched');
      await shot(tab.page, 'node-files');
      assert.deepEqual(tab.problems.filter((p) => !/40[0-9]/.test(p)), []);
    } finally {
      await tab.context.close();
    }
  });

  test('a viewer sees the fleet but no log viewer, no file transfer and no Remove; an admin removes an agent', async () => {
    const other = await bed.t.deploy(bed.t.admin, 'old-box', '198.18.0.99');
    const tab = await openTab(browser, bed.t.url);
    try {
      await signIn(tab.page, 'vic@example.com', 'viewer-password-123');
      await tab.page.goto('/fleet');
      await tab.page.locator(`tr[data-agent="${other.uuid}"]`).waitFor();
      assert.equal(await tab.page.getByRole('button', { name: /^Remove/ }).count(), 0);
      await tab.page.goto(`/nodes/${bed.node.uuid}`);
      await tab.page.getByRole('heading', { name: 'Commands' }).waitFor();
      assert.equal(await tab.page.getByRole('form', { name: 'Stream logs' }).count(), 0);
      assert.equal(await tab.page.getByRole('form', { name: 'Download a file' }).count(), 0);
      await shot(tab.page, 'node-viewer-fleet');
    } finally {
      await tab.context.close();
    }
    const admin = await openTab(browser, bed.t.url);
    try {
      await signIn(admin.page, bed.t.admin.email, bed.t.admin.password);
      await admin.page.goto('/fleet');
      const row = admin.page.locator(`tr[data-agent="${other.uuid}"]`);
      await row.waitFor();
      admin.page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Remove old-box' }).click();
      await row.waitFor({ state: 'detached' });
      assert.equal((await bed.t.request('GET', `/api/agents/${other.uuid}`)).status, 404);
    } finally {
      await admin.context.close();
    }
  });
});
