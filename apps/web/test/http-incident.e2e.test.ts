// An HTTP (layer 7) flood's incident page in a real Chromium: the agent's http details (top URIs,
// user agents, sources, 4xx/5xx share) are shown, with the L7 advice instead of FlowSpec.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { ensureBuilt, launch, openTab, shot, signIn, type Tab } from './browser.ts';

let t: TestServer;
let browser: Browser;
let tab: Tab;

before(async () => {
  ensureBuilt();
  t = await startTestServer(sqliteBackend);
  browser = await launch();
  tab = await openTab(browser, t.url);
});
after(async () => {
  await browser?.close();
  await t?.stop();
});

test('incident page: an http_flood shows its top URIs, user agents and sources and the share answered 4xx/5xx', async () => {
  const node = await t.deploy(t.admin, 'web-1', '203.0.113.20');
  const opened = await t.agent(node, 'POST', '/incidents', {
    attack_family: 'http_flood', attack_subtype: 'login_brute_force', severity: 'medium', peak_pps: 420, peak_bps: 0,
    top_src_ips: [{ ip: '198.51.100.66', count: 3900 }], source_ip_count: 1,
    explanation: 'http_flood/login_brute_force: failed logins 3900 of 4000 login requests (98%)',
    http: {
      peak_rps: 420, requests: 4000, top_sources: [{ key: '198.51.100.66', count: 3900 }], top_uris: [{ key: '/wp-login.php', count: 3950 }, { key: '/', count: 50 }],
      top_user_agents: [{ key: 'python-requests/2.31', count: 3900 }], top_hosts: [{ key: 'blog.example', count: 4000 }],
      status_share: { '2xx': 2.5, '3xx': 0, '4xx': 97.5, '5xx': 0 }, error_share: 97.5, peak_open_connections: 12, login_failures: 3900,
    },
  });
  assert.equal(opened.status, 200);
  const page = tab.page;
  await page.goto('/');
  await signIn(page, t.admin.email, t.admin.password);
  await page.goto(`/incidents/${opened.body.uuid}`);
  const section = page.locator('[data-section="http"]');
  await section.waitFor();
  assert.equal(await section.locator('[data-error-share]').textContent(), '97.5 %');
  assert.equal(await section.locator('table[data-table="uris"] tbody tr').first().locator('code').textContent(), '/wp-login.php');
  assert.equal(await section.locator('table[data-table="user-agents"] tbody tr').first().locator('code').textContent(), 'python-requests/2.31');
  assert.equal(await section.locator('table[data-table="http-sources"] tbody tr').first().locator('code').textContent(), '198.51.100.66');
  assert.match(await section.textContent() ?? '', /FlowSpec cannot separate it/);
  await shot(page, 'incident-http-flood');
  assert.deepEqual(tab.problems, []);
});
