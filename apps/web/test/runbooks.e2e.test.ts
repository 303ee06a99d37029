// Runbooks in a browser: a viewer sees the list and the execution history and no action (the API
// refuses anyway); an operator writes a runbook in the editor (the API's message names the step
// index and key of a bad param), test-runs one and reads its execution step by step.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };

describe('runbooks in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let id: string;

  before(async () => {
    ensureBuilt();
    t = await startTestServer(sqliteBackend);
    browser = await launch();
    const c = await t.request('POST', '/api/v1/runbooks', { body: {
      name: 'UDP flood playbook', trigger_conditions: { attack_families: ['udp_flood'], min_pps: 100000 },
      steps: [
        { action_type: 'log', action_config: { message: '{{incident.family}} on {{incident.target}}' } },
        { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '{{incident.top_source}}' } } },
        { action_type: 'condition', action_config: { when: [{ field: 'incident.peak_pps', op: 'gt', value: 1000 }] } },
      ],
    } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    id = c.body.data.id;
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  test('an operator writes a runbook in the editor, test-runs one and reads its steps', async () => {
    const op = await openTab(browser, t.url);
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      await op.page.getByRole('link', { name: 'Runbooks' }).click();
      await op.page.locator(`tr[data-runbook="${id}"]`).waitFor();
      await op.page.getByRole('button', { name: 'New runbook' }).click();
      await op.page.getByLabel('Name').fill('Wait and see');
      const trigger = op.page.locator('[data-trigger-editor]');
      assert.equal(await trigger.getByLabel('events', { exact: true }).inputValue(), 'opened', 'the trigger starts on incidents opened');
      await trigger.getByLabel('attack families', { exact: true }).fill('udp_flood\nsyn_flood');
      await trigger.getByLabel('min severity', { exact: true }).selectOption('high');
      await trigger.getByLabel('min pps', { exact: true }).fill('50000');
      const step0 = op.page.locator('[data-step-editor="0"]');
      await op.page.getByLabel('Step 0 type').selectOption('wait');
      assert.equal(await step0.getByLabel('seconds', { exact: true }).inputValue(), '30', 'the type\'s params are shown as fields');
      assert.match((await step0.locator('.hint').first().textContent()) ?? '', /1–86400/, 'the bounds are the hint');
      await step0.getByLabel('seconds', { exact: true }).fill('0');
      await op.page.getByRole('button', { name: 'Add a step' }).click();
      const step1 = op.page.locator('[data-step-editor="1"]');
      await op.page.getByLabel('Step 1 type').selectOption('webhook');
      await step1.getByLabel('url', { exact: true }).fill('https://hooks.example.com/ddos');
      await step1.getByLabel('method', { exact: true }).selectOption('PUT');
      await step1.getByLabel('payload', { exact: true }).fill('{"target": ');
      assert.equal(await step1.getByLabel('secret', { exact: true }).getAttribute('type'), 'password', 'a secret is typed unseen');
      await op.page.getByRole('button', { name: 'Save' }).click();
      assert.equal(await step1.locator('[data-field-error="payload"]').textContent(), 'steps[1].action_config.payload: not valid JSON', 'a nested key is JSON for that key only, checked before sending');
      await step1.getByLabel('payload', { exact: true }).fill('{"target": "{{incident.target}}"}');
      await step1.getByLabel('retries', { exact: true }).fill('1');
      await op.page.getByRole('button', { name: 'Save' }).click();
      const fieldError = step0.locator('[data-field-error="seconds"]');
      await fieldError.waitFor();
      assert.match((await fieldError.textContent()) ?? '', /^steps\[0\]\.action_config\.seconds: must be an integer/, 'the API\'s message is shown at the field it names');
      assert.equal(await step1.locator('[data-field-error]').count(), 0);
      await shot(op.page, 'runbooks-editor-error');
      await step0.getByLabel('seconds', { exact: true }).fill('5');
      await op.page.getByRole('button', { name: 'Save' }).click();
      await op.page.locator('tr[data-runbook]', { hasText: 'Wait and see' }).waitFor();
      const saved = (await t.request('GET', '/api/v1/runbooks')).body.data.find((r: { name: string }) => r.name === 'Wait and see');
      assert.deepEqual(saved.trigger_conditions, { attack_families: ['udp_flood', 'syn_flood'], min_severity: 'high', min_pps: 50000, events: ['opened'] });
      assert.deepEqual(saved.steps.map((s: { action_type: string; action_config: unknown }) => [s.action_type, s.action_config]), [
        ['wait', { seconds: 5 }],
        ['webhook', { url: 'https://hooks.example.com/ddos', method: 'PUT', payload: { target: '{{incident.target}}' }, timeout_ms: 5000, retries: 1 }],
      ], 'the form sent typed values');

      const row = op.page.locator(`tr[data-runbook="${id}"]`);
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit1 = op.page.locator('[data-step-editor="1"]');
      assert.equal(await op.page.getByLabel('Step 1 type').inputValue(), 'iptables', 'an existing runbook opens with its steps as fields');
      assert.equal(await edit1.getByLabel('rule', { exact: true }).inputValue(), 'block_source');
      assert.deepEqual(JSON.parse(await edit1.getByLabel('params', { exact: true }).inputValue()), { address: '{{incident.top_source}}' });
      assert.equal(await op.page.locator('[data-trigger-editor]').getByLabel('min pps', { exact: true }).inputValue(), '100000');
      await op.page.getByRole('button', { name: 'Cancel' }).click();
      await row.getByRole('button', { name: 'Test run' }).click();
      await t.server.runbooks.idle();
      const runs = op.page.locator(`[data-executions="${id}"]`);
      await runs.getByRole('button', { name: 'Refresh' }).click();
      const ex = runs.locator('[data-execution][data-execution-status="succeeded"]');
      await ex.waitFor();
      assert.deepEqual(await ex.locator('tr[data-step-status]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step-status'))), ['succeeded', 'dry_run', 'succeeded']);
      assert.match((await ex.textContent()) ?? '', /test run \(dry run\)/);
      await shot(op.page, 'runbooks-execution');
      assert.deepEqual(op.problems, []);
    } finally {
      await op.context.close();
    }
  });

  test('a viewer reads the list and the history, and has no action', async () => {
    const viewer = await openTab(browser, t.url);
    try {
      await signIn(viewer.page, 'vic@example.com', 'viewer-password-123');
      await viewer.page.goto('/runbooks');
      const row = viewer.page.locator(`tr[data-runbook="${id}"]`);
      await row.waitFor();
      assert.equal(await row.getByRole('button', { name: 'Test run' }).count(), 0);
      assert.equal(await viewer.page.getByRole('button', { name: 'New runbook' }).count(), 0);
      await row.getByRole('button', { name: 'UDP flood playbook' }).click();
      await viewer.page.locator(`[data-executions="${id}"] [data-execution]`).first().waitFor();
      const refused = await viewer.page.evaluate(async ([i, h]) => (await fetch(`/api/v1/runbooks/${i}/toggle`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{}' })).status, [id, CSRF] as const);
      assert.equal(refused, 403);
      await shot(viewer.page, 'runbooks-viewer');
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.context.close();
    }
  });
});
