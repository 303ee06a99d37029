// Scrubbing in a browser, against a local Cloudflare API that checks every request: a viewer sees
// the integration's live status and no buttons (the API refuses anyway); an operator tests it (latency
// shown), enables scrubbing (Cloudflare advertises the prefix; propagating, as Cloudflare documents),
// withdraws it (held until the advertisement can have completed, then withdrawing) and reads the
// history; an admin's form shows the API's message beside the settings it names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startCloudflareFake, type CloudflareFake } from '@breakwater/scrubbing/testing';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const PREFIX = '198.51.100.0/24';

describe('scrubbing in a browser', () => {
  let t: TestServer;
  let cf: CloudflareFake;
  let browser: Browser;
  let id: string;

  before(async () => {
    ensureBuilt();
    // The provider's stand-in listens on this machine: the operator's outbound config grants the type loopback.
    t = await startTestServer(sqliteBackend, { outbound: { scrubbing: { cloudflare_magic_transit: ['loopback'] } }, scrubbing: { tickMs: 50, pollMs: 500, reconcileMs: 3_600_000, timeoutMs: 2000, maxAttempts: 3 } });
    cf = await startCloudflareFake({ prefixes: [{ cidr: PREFIX }], clock: { now: () => t.clock.now(), advance: (ms) => t.clock.advance(ms) } });
    browser = await launch();
    const c = await t.request('POST', '/api/v1/scrubbing', { body: { integration_type: 'cloudflare_magic_transit', name: 'Cloudflare Magic Transit', config: { api_token: cf.token, account_id: cf.accountId, prefixes: [{ cidr: PREFIX }], api_url: cf.url } } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    id = c.body.data.id;
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await cf?.stop();
  });

  test('a viewer sees the integration and its live status, and no action', async () => {
    const viewer = await openTab(browser, t.url);
    try {
      await signIn(viewer.page, 'vic@example.com', 'viewer-password-123');
      await viewer.page.getByRole('link', { name: 'Scrubbing' }).click();
      const card = viewer.page.locator(`[data-integration="${id}"]`);
      await card.locator('[data-scrub-state="idle"]').waitFor();
      await card.getByText('Nothing is diverted.').waitFor();
      assert.equal(await card.getByRole('button').count(), 0, 'no Test, Edit, Enable or Withdraw');
      assert.equal(await viewer.page.getByRole('button', { name: 'Add an integration' }).count(), 0);
      const refused = await viewer.page.evaluate(async ([i, h]) => (await fetch(`/api/v1/scrubbing/${i}/announce`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{}' })).status, [id, CSRF] as const);
      assert.equal(refused, 403);
      assert.ok(!(await viewer.page.content()).includes(cf.token), 'the token is never on the page');
      await shot(viewer.page, 'scrubbing-viewer');
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.context.close();
    }
  });

  test('an operator tests, enables and withdraws; the status follows the provider', async () => {
    const op = await openTab(browser, t.url);
    const watcher = await openTab(browser, t.url);
    try {
      await signIn(watcher.page, 'vic@example.com', 'viewer-password-123');
      await watcher.page.goto('/scrubbing');
      await watcher.page.locator(`[data-integration="${id}"] [data-scrub-state]`).first().waitFor();
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      await op.page.goto('/scrubbing');
      const card = op.page.locator(`[data-integration="${id}"]`);
      await card.getByRole('button', { name: 'Test' }).click();
      await card.locator('[data-test-result="ok"]', { hasText: /OK: connected and authenticated \(\d+ ms, ok\)/ }).waitFor();
      await card.locator('[data-scrub-health="ok"]').first().waitFor();

      await card.getByLabel('Address or prefix to divert').fill('198.51.100.20');
      await card.getByLabel('Reason').fill('UDP flood, 40 Gbps');
      await card.getByRole('button', { name: 'Enable scrubbing' }).click();
      const row = card.locator('tr[data-diversion][data-diversion-state="propagating"]');
      await row.waitFor();
      assert.ok(cf.prefixByCidr(PREFIX)!.advertised, 'Cloudflare advertises the prefix');
      assert.match((await row.textContent()) ?? '', /UDP flood, 40 Gbps/);
      // Another open dashboard follows through the live stream.
      await watcher.page.locator(`[data-integration="${id}"] tr[data-diversion][data-diversion-state="propagating"]`).waitFor({ timeout: 3000 });
      await shot(op.page, 'scrubbing-propagating');

      op.page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: `Withdraw diversion of ${PREFIX}` }).click();
      await card.locator('tr[data-diversion]', { hasText: /withdraws / }).waitFor();
      assert.ok(cf.prefixByCidr(PREFIX)!.advertised, 'held by the flap guard: Cloudflare documents up to 7 min to advertise');
      t.clock.advance(7 * 60_000);
      await card.locator('tr[data-diversion][data-diversion-state="withdrawing"]').waitFor({ timeout: 15_000 });
      assert.equal(cf.prefixByCidr(PREFIX)!.advertised, false);
      await card.locator('[data-history] [data-event="scheduled"]').waitFor();
      await shot(op.page, 'scrubbing-withdrawing');
      assert.equal(await op.page.getByRole('button', { name: 'Add an integration' }).count(), 0, 'operators do not manage integrations');
      assert.deepEqual(cf.problems, []);
      assert.deepEqual(op.problems, []);
      assert.deepEqual(watcher.problems, []);
    } finally {
      await op.context.close();
      await watcher.context.close();
    }
  });

  test('an admin adds an integration; the form names the setting the API refused', async () => {
    const admin = await openTab(browser, t.url);
    try {
      await signIn(admin.page, t.admin.email, t.admin.password);
      await admin.page.goto('/scrubbing');
      await admin.page.getByRole('button', { name: 'Add an integration' }).click();
      await admin.page.getByLabel('Type').selectOption('ovh_mitigation');
      await admin.page.getByLabel('Name').fill('OVH');
      await admin.page.getByLabel('Settings (JSON)').fill(JSON.stringify({ application_key: 'ak', application_secret: 'as-secret-value', consumer_key: 'ck-secret-value', ip_blocks: ['not-a-block'] }));
      await admin.page.getByRole('button', { name: 'Add', exact: true }).click();
      const err = admin.page.locator('.field:has(textarea[name=config]) .field-error');
      await err.waitFor();
      assert.match((await err.textContent()) ?? '', /^config\.ip_blocks/);
      await shot(admin.page, 'scrubbing-form-error');
      assert.deepEqual(admin.problems, []);
    } finally {
      await admin.context.close();
    }
  });
});
