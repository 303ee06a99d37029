// Firewall profiles in a browser: a viewer reads a profile's rules and exactly what a node runs,
// per suite, and has no apply button (the API refuses anyway); an operator applies a profile to a
// node, sees it pending, sees it applied once the node's agent acknowledges, and rolls it back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };

describe('firewall profiles in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let node: { uuid: string; key: string };

  before(async () => {
    ensureBuilt();
    t = await startTestServer(sqliteBackend);
    browser = await launch();
    node = await t.deploy(t.admin, 'game-1', '203.0.113.70');
    await addTeam(t);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  test('a viewer reads the rules and the preview per suite, and cannot apply', async () => {
    const v = await openTab(browser, t.url);
    try {
      await signIn(v.page, 'vic@example.com', 'viewer-password-123');
      await v.page.getByRole('link', { name: 'Profiles' }).click();
      await v.page.locator('[data-profile-script]', { hasText: 'table inet bw_profile' }).waitFor();
      assert.match((await v.page.locator('[data-profile-rules]').textContent()) ?? '', /SYN rate limit 200\/s/);
      await v.page.getByLabel('Suite').selectOption('iptables');
      await v.page.locator('[data-profile-script]', { hasText: ':BW-PROFILE - [0:0]' }).waitFor();
      await v.page.getByLabel('Profile').selectOption('fintech');
      await v.page.getByLabel('Suite').selectOption('ufw');
      await v.page.locator('[data-profile-script]', { hasText: 'ufw allow 443/tcp' }).waitFor();
      assert.equal(await v.page.getByRole('button', { name: /Apply/ }).count(), 0);
      const refused = await v.page.evaluate(async ([u, h]) => (await fetch('/api/v1/profiles/apply', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ profile_id: 'saas', suite: 'nftables', node_ids: [u] }) })).status, [node.uuid, CSRF] as const);
      assert.equal(refused, 403);
      await shot(v.page, 'profiles-viewer');
      assert.deepEqual(v.problems, []);
    } finally {
      await v.context.close();
    }
  });

  test('an operator applies a profile to a node; pending, applied when the agent acknowledges, rolled back', async () => {
    const op = await openTab(browser, t.url);
    try {
      await signIn(op.page, 'olga@example.com', 'operator-password-123');
      await op.page.goto('/profiles');
      await op.page.getByLabel('Profile').selectOption('game_server');
      await op.page.getByLabel('game-1').check();
      await op.page.getByRole('button', { name: 'Apply game_server' }).click();
      const row = op.page.locator('tr[data-node="game-1"]');
      await row.and(op.page.locator('[data-state="pending"]')).waitFor();
      const cmds = (await t.request('GET', `/api/agents/${node.uuid}/commands`)).body as { command_id: string; type: string }[];
      const apply = cmds.find((c) => c.type === 'profile_apply')!;
      assert.equal((await t.agent(node, 'POST', '/commands/ack', { command_id: Number(apply.command_id.replace(/^cmd_/, '')), status: 'applied', error: null })).status, 200);
      await op.page.locator('tr[data-node="game-1"][data-state="applied"]').waitFor({ timeout: 10_000 });
      await shot(op.page, 'profiles-applied');
      op.page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: 'Roll back' }).click();
      await op.page.locator('tr[data-node="game-1"][data-state="rolling_back"]').waitFor({ timeout: 10_000 });
      assert.deepEqual(op.problems, []);
    } finally {
      await op.context.close();
    }
  });
});
