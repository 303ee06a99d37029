// Mitigation in the browser: a viewer sees the active rule but cannot withdraw it (no button, and
// the API refuses), an operator withdraws it and the receiver is told; adapter health and the
// manual-rule form's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startWebhookFake, type WebhookFake } from '@breakwater/mitigation/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const TARGET = '198.18.0.77';

describe('mitigation in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let hook: WebhookFake;
  let adapterId: string;
  let ruleId: string;

  before(async () => {
    ensureBuilt();
    // The webhook receiver listens on this machine: the operator's outbound config grants webhook adapters loopback.
    t = await startTestServer(sqliteBackend, { outbound: { adapters: { webhook: ['loopback'] } } });
    hook = await startWebhookFake();
    browser = await launch();
    const a = await t.request('POST', '/api/v1/mitigation/adapters', {
      body: { adapter_type: 'webhook', name: 'edge-hook', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, capabilities: ['blackhole'] },
    });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    adapterId = a.body.data.id;
    const r = await t.request('POST', '/api/v1/mitigation/rules', { body: { target_ip: TARGET, intent_type: 'blackhole', adapter_id: adapterId, ttl: 600, reason: 'e2e flood' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    ruleId = r.body.data.id;
    assert.ok(hook.observe().has(`blackhole|${TARGET}/32`), 'the receiver holds the rule');
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await hook?.stop();
  });

  test('a viewer sees the rule and no withdraw button; the API refuses the withdraw too', async () => {
    const viewer = await openTab(browser, t.url);
    try {
      await signIn(viewer.page, 'vic@example.com', 'viewer-password-123');
      await viewer.page.getByRole('link', { name: 'Mitigation' }).click();
      await viewer.page.locator(`[data-table="active-rules"] tr[data-rule="${ruleId}"]`).waitFor();
      assert.equal(await viewer.page.getByRole('button', { name: /Withdraw/ }).count(), 0);
      assert.equal(await viewer.page.getByRole('button', { name: 'Test' }).count(), 0);
      assert.equal(await viewer.page.getByRole('heading', { name: 'Announce a rule by hand' }).count(), 0);
      const refused = await viewer.page.evaluate(async ([id, h]) => {
        const r = await fetch(`/api/v1/mitigation/rules/${id}`, { method: 'DELETE', headers: h });
        return r.status;
      }, [ruleId, CSRF] as const);
      assert.equal(refused, 403);
      assert.ok(hook.observe().has(`blackhole|${TARGET}/32`), 'still announced');
      await shot(viewer.page, 'mitigation-viewer');
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.context.close();
    }
  });

  test('an operator withdraws it: gone from active rules, withdrawn in history, and the receiver drops it', async () => {
    const op = await openTab(browser, t.url);
    const watcher = await openTab(browser, t.url);
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      await signIn(watcher.page, 'vic@example.com', 'viewer-password-123');
      await watcher.page.goto('/mitigation');
      await watcher.page.locator(`[data-table="active-rules"] tr[data-rule="${ruleId}"]`).waitFor();

      await op.page.getByRole('link', { name: 'Mitigation' }).click();
      const row = op.page.locator(`[data-table="active-rules"] tr[data-rule="${ruleId}"]`);
      await row.waitFor();
      await shot(op.page, 'mitigation-operator');
      op.page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: `Withdraw blackhole rule for ${TARGET}/32` }).click();
      await op.page.locator(`[data-table="rule-history"] tr[data-rule="${ruleId}"][data-rule-status="withdrawn"]`).waitFor();
      await row.waitFor({ state: 'detached' });
      assert.equal(hook.observe().has(`blackhole|${TARGET}/32`), false, 'the receiver was told to withdraw');
      assert.deepEqual(hook.problems, []);
      // The other open dashboard follows through the live stream, without a reload.
      await watcher.page.locator(`[data-table="rule-history"] tr[data-rule="${ruleId}"][data-rule-status="withdrawn"]`).waitFor({ timeout: 3000 });
      const history = await t.request('GET', '/api/v1/mitigation/rules/history?limit=10');
      assert.match(history.body.data.find((x: any) => x.id === ruleId).withdrawn_by, /olga@example\.com/);
      await shot(op.page, 'mitigation-withdrawn');

      // Adapter health: the test button asks the receiver and shows the answer.
      await op.page.locator(`tr[data-adapter="${adapterId}"]`).getByRole('button', { name: 'Test edge-hook' }).click();
      await op.page.locator(`tr[data-adapter="${adapterId}"] [role=status]`, { hasText: /^OK: / }).waitFor();
      await op.page.locator(`tr[data-adapter="${adapterId}"] [data-adapter-status="up"]`).waitFor();

      // The manual-rule form shows the API's own message beside the target field.
      await op.page.getByLabel('target ip', { exact: true }).fill('not-an-address');
      await op.page.getByRole('button', { name: 'Announce' }).click();
      const err = op.page.locator('.field:has(input[name=target_ip]) .field-error');
      await err.waitFor();
      const api = await t.request('POST', '/api/v1/mitigation/rules', { body: { target_ip: 'not-an-address', intent_type: 'blackhole', adapter_id: adapterId } });
      assert.equal(api.status, 400);
      assert.equal(await err.textContent(), api.body.error.message);
      await op.page.getByLabel('ttl', { exact: true }).fill('-5');
      await op.page.getByLabel('target ip', { exact: true }).fill(TARGET);
      await op.page.getByRole('button', { name: 'Announce' }).click();
      await op.page.locator('.field:has(input[name=ttl]) .field-error').waitFor();
      await shot(op.page, 'mitigation-form-errors');
      assert.deepEqual(op.problems, []);
    } finally {
      await op.context.close();
      await watcher.context.close();
    }
  });
});
