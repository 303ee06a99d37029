// The dashboard in a real Chromium against a real server: sign-in, live status flips, the node
// and incident pages, forms showing the API's messages, roles, phone size and dark theme.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { ensureBuilt, launch, openTab, shot, signIn, type Tab } from './browser.ts';

const CSRF = { 'x-breakwater-csrf': '1' };
const NTP_PCAP = join(import.meta.dirname, '..', '..', '..', 'packages', 'analysis', 'fixtures', 'ntp-amplification.pcap');

describe('dashboard in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let admin: Tab;
  let page: Page;
  let node: { uuid: string; key: string };
  let feeder: NodeJS.Timeout;
  let pps = 1200;

  before(async () => {
    ensureBuilt();
    t = await startTestServer(sqliteBackend);
    browser = await launch();
    node = await t.deploy(t.admin, 'edge-ams-1', '203.0.113.10');
    await t.agent(node, 'POST', '/heartbeat', { version: '2.1.0', uptime: 3600, os: 'Debian 12' });
    // An agent's once-a-second metrics, for as long as the file runs.
    const post = () => void t.agent(node, 'POST', '/metrics', { pps, bps: pps * 8 * 600, tcp_pct: 70, udp_pct: 25, icmp_pct: 5 }).catch(() => undefined);
    post();
    feeder = setInterval(post, 1000);
    admin = await openTab(browser, t.url);
    page = admin.page;
  });
  after(async () => {
    clearInterval(feeder);
    await browser?.close();
    await t?.stop();
  });

  test('sign in: a wrong password shows the API message at the field; the right one opens the overview', async () => {
    await page.goto('/');
    await page.getByLabel('Email').fill(t.admin.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const err = page.locator('.field:has(input[name=password]) .field-error');
    await err.waitFor();
    assert.equal(await err.textContent(), 'Wrong email or password');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    await shot(page, 'sign-in-error');
    await signIn(page, t.admin.email, t.admin.password);
    await page.locator(`tr[data-node="${node.uuid}"]`).waitFor();
    assert.deepEqual(admin.problems, []);
  });

  test('overview: the live chart draws, and a node goes to attack within 2 s of the agent report and back on resolve', async () => {
    await page.locator('[data-chart="workspace"][data-drawn="true"]').waitFor();
    const badge = page.locator(`tr[data-node="${node.uuid}"] [data-status]`);
    await page.locator(`tr[data-node="${node.uuid}"] [data-status="online"]`).waitFor();
    // Traffic totals follow the agent's samples.
    pps = 4321;
    await page.locator('[data-tile="workspace-pps"] .tile-value', { hasText: '4.3 kpps' }).waitFor();

    const t0 = Date.now();
    const opened = await t.agent(node, 'POST', '/incidents', {
      attack_family: 'udp_flood', attack_subtype: 'ntp_amplification', severity: 'high', peak_pps: 250_000, peak_bps: 2.4e9,
      protocol_breakdown: { tcp: 2, udp: 97, icmp: 1 }, tcp_flag_breakdown: { SYN: 120, ACK: 300 }, geo_breakdown: { US: 4200, CN: 1800, RU: 920 },
      source_ip_count: 3, top_src_ips: [{ ip: '198.51.100.7', count: 5000 }, { ip: '198.51.100.8', count: 3000 }, { ip: '198.51.100.9', count: 1000 }],
      top_dst_ports: [{ port: 123, count: 8000 }, { port: 80, count: 1000 }],
      explanation: 'UDP from source port 123 took 97 % of packets: NTP amplification (rule ntp_src_port).',
      threshold: { name: 'pps', value: 50_000, observed: 250_000, source: 'static' },
      thresholds_fired: [{ name: 'pps', value: 50_000, observed: 250_000, source: 'static' }],
    });
    assert.equal(opened.status, 200);
    await page.locator(`tr[data-node="${node.uuid}"] [data-status="attack"]`).waitFor({ timeout: 2000 });
    const flip = Date.now() - t0;
    assert.ok(flip < 2000, `attack shown after ${flip} ms`);
    await page.locator('[data-list="active-incidents"] li', { hasText: 'udp flood' }).waitFor();
    await shot(page, 'overview-attack');

    const t1 = Date.now();
    const pcap = new FormData();
    pcap.append('pcap', new Blob([new Uint8Array(readFileSync(NTP_PCAP))]), 'ntp-amplification.pcap');
    await t.agent(node, 'POST', `/incidents/${opened.body.uuid}/resolve`, { severity: 'high', duration_seconds: 42 });
    await page.locator(`tr[data-node="${node.uuid}"] [data-status="online"]`).waitFor({ timeout: 2000 });
    assert.ok(Date.now() - t1 < 2000);
    assert.equal(await badge.getAttribute('data-status'), 'online');
    const up = await fetch(`${t.url}/api/v1/agent/incidents/${opened.body.uuid}/pcap`, { method: 'POST', headers: { authorization: `Bearer ${node.key}`, 'x-node-uuid': node.uuid }, body: pcap });
    assert.equal(up.status, 200, await up.text());
    await shot(page, 'overview');
  });

  test('node page: live pps chart with baseline and threshold lines, protocol mix, agent details', async () => {
    assert.equal((await t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { pps_threshold: 50_000 } })).status, 200);
    await page.getByRole('link', { name: 'edge-ams-1' }).click();
    await page.locator('[data-chart="node-pps"][data-drawn="true"]').waitFor();
    await page.locator('[data-chart="node-mix"][data-drawn="true"]').waitFor();
    const legend = await page.locator('figure:has([data-chart="node-pps"]) .u-legend').textContent();
    assert.match(legend ?? '', /Threshold/);
    assert.match(legend ?? '', /Baseline p99/);
    // The tile follows the next samples.
    pps = 7777;
    await page.locator('[data-tile="node-pps"]', { hasText: '7.8 kpps' }).waitFor({ timeout: 4000 });
    await page.getByText('Debian 12').waitFor();
    await page.locator('#node-incidents ~ ul li', { hasText: 'udp flood' }).waitFor();
    await shot(page, 'node');
  });

  test('incident detail: timeline chart, breakdowns, top sources and ports, packets, analysis and download', async () => {
    await page.locator('#node-incidents ~ ul li a').first().click();
    await page.locator('[data-explanation]', { hasText: 'NTP amplification' }).waitFor();
    await page.locator('[data-chart="incident-timeline"][data-drawn="true"]').waitFor();
    assert.equal(await page.locator('[data-table="sources"] tbody tr').count(), 3);
    assert.match((await page.locator('[data-table="sources"] tbody tr').first().textContent()) ?? '', /198\.51\.100\.7.*5,000/);
    assert.equal(await page.locator('[data-table="ports"] tbody tr').count(), 2);
    assert.equal(await page.locator('[data-breakdown="Countries"] li').count(), 3);
    assert.equal(await page.locator('[data-breakdown="TCP flags"] li').count(), 2);
    // 50 packets per page, decoded by the server from the uploaded capture.
    await page.locator('[data-table="packets"] tbody tr').nth(49).waitFor();
    assert.match((await page.locator('[data-table="packets"] tbody tr').first().textContent()) ?? '', /UDP|udp/);
    await page.locator('[data-analysis]').waitFor({ timeout: 15_000 });
    assert.match((await page.locator('[data-analysis]').textContent()) ?? '', /ntp/i);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download PCAP' }).click()]);
    assert.equal(download.suggestedFilename(), 'ntp-amplification.pcap');
    const saved = readFileSync((await download.path()));
    assert.equal(saved.length, readFileSync(NTP_PCAP).length);
    await page.getByRole('heading', { name: 'Mitigation actions' }).waitFor();
    await shot(page, 'incident');
  });

  test('incidents list: filters in the URL narrow the rows', async () => {
    await t.agent(node, 'POST', '/incidents', { attack_family: 'syn_flood', severity: 'low', peak_pps: 60_000 });
    await page.getByRole('link', { name: /^Incidents/ }).click();
    await page.locator('[data-table="incidents"] tbody tr').nth(1).waitFor();
    await page.getByLabel('Severity').selectOption('low');
    await page.waitForURL(/severity=low/);
    await page.locator('[data-table="incidents"] tbody tr').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-table="incidents"] tbody tr').length === 1);
    assert.match((await page.locator('[data-table="incidents"] tbody tr').textContent()) ?? '', /syn flood/);
    await page.getByLabel('Severity').selectOption('');
    await page.getByLabel('Status').selectOption('resolved');
    await page.waitForURL(/status=resolved/);
    // The one row left must be the resolved one: until the list reloads, the syn flood row of the
    // filter before is also a single row.
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-table="incidents"] tbody tr');
      return rows.length === 1 && /udp flood/.test(rows[0]?.textContent ?? '');
    }, undefined, { timeout: 10_000 });
    await shot(page, 'incidents');
  });

  test("settings forms: bad input shows the API's message beside the field", async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Name').fill('Vera Viewer');
    await page.getByLabel('Password').fill('long-enough-password');
    await page.getByRole('button', { name: 'Add user' }).click();
    const emailError = page.locator('.field:has(input[name=email]) .field-error');
    await emailError.waitFor();
    assert.equal(await emailError.textContent(), 'email: must be a valid email');
    await page.getByLabel('Email').fill('vera@example.com');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Add user' }).click();
    const pwError = page.locator('.field:has(input[name=password]) .field-error');
    await pwError.waitFor();
    assert.match((await pwError.textContent()) ?? '', /^password: must NOT have fewer than 12 characters/);
    assert.equal(await emailError.count(), 0, 'the email error is gone once the email is right');
    await page.getByLabel('Password').fill('viewer-password-1');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('vera@example.com can sign in now.').waitFor();
    await page.locator('[data-table="users"] tbody tr', { hasText: 'vera@example.com' }).waitFor();
    await shot(page, 'settings-users');

    await page.getByRole('link', { name: 'Notification channels' }).click();
    const add = page.getByRole('region', { name: 'Add a channel' });
    await add.getByLabel('name', { exact: true }).fill('ops slack');
    await add.getByLabel('webhook url').fill('ftp://nope');
    await add.getByRole('button', { name: 'Add channel' }).click();
    const cfgError = add.locator('[data-field-error="webhook url"]');
    await cfgError.waitFor();
    assert.match((await cfgError.textContent()) ?? '', /^config\.webhook_url: /);
    await shot(page, 'settings-channels');

    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel('Name').fill('grafana');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.locator('[data-secret]').textContent();
    assert.equal((await t.request('GET', '/api/v1/nodes', { token: secret ?? '' })).status, 200, 'the token shown works');
    await shot(page, 'settings-tokens');
    assert.deepEqual(admin.problems, []);
  });

  test('tokens: a deploy token is made with each scope, the list shows it, and the server enforces it', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByRole('group', { name: 'Scope' }).count(), 0, 'an API token has a role, not a scope');
    await page.getByLabel('Kind').selectOption('deploy');
    assert.equal(await page.getByLabel('Role').count(), 0);
    const register = page.getByLabel('Register nodes only');
    const operator = page.getByLabel('Operator (REST API)');
    assert.equal(await register.isChecked(), true, 'register is the default');
    assert.match((await page.locator('.choice-option', { has: operator }).textContent()) ?? '', /copied onto every machine being enrolled/);

    const create = async (name: string): Promise<string> => {
      await page.getByLabel('Name').fill(name);
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.locator('.notice', { hasText: name }).waitFor();
      const secret = (await page.locator('[data-secret]').textContent()) ?? '';
      await page.getByRole('button', { name: 'Done' }).click();
      return secret;
    };
    const registerSecret = await create('enrol-register');
    const registerRow = page.locator('tr[data-token="enrol-register"] [data-scope]');
    assert.equal(await registerRow.getAttribute('data-scope'), 'register');
    assert.equal(await registerRow.textContent(), 'register nodes');
    const refused = await t.request('GET', '/api/v1/nodes', { token: registerSecret });
    assert.equal(refused.status, 403, 'a register-only deploy token cannot read REST v1');

    await operator.check();
    const operatorSecret = await create('enrol-operator');
    const operatorRow = page.locator('tr[data-token="enrol-operator"] [data-scope]');
    assert.equal(await operatorRow.getAttribute('data-scope'), 'operator');
    assert.equal(await operatorRow.textContent(), 'operator');
    assert.equal((await t.request('GET', '/api/v1/nodes', { token: operatorSecret })).status, 200, 'an operator-scoped deploy token works on REST v1');
    assert.equal(await register.isChecked(), true, 'the form is back to the safe default');
    assert.equal(await page.locator('tr[data-token="grafana"] [data-scope]').getAttribute('data-scope'), '', 'an API token has no scope');
    // What the server stored, as the dashboard reads it.
    const stored = await page.evaluate(async () => ((await (await fetch('/api/dash/tokens')).json()) as { data: { name: string; scope: string | null }[] }).data);
    assert.deepEqual(stored.filter((x) => x.name.startsWith('enrol-')).map((x) => [x.name, x.scope]).sort(), [['enrol-operator', 'operator'], ['enrol-register', 'register']]);

    // A value the page does not offer: the API's message shows at the scope choice.
    await register.evaluate((el) => el.setAttribute('value', 'root'));
    await page.getByLabel('Name').fill('enrol-root');
    await page.getByRole('button', { name: 'Create token' }).click();
    const scopeError = page.locator('fieldset[data-field="scope"] .field-error');
    await scopeError.waitFor();
    assert.equal(await scopeError.textContent(), 'scope: must be one of "register", "operator"');
    assert.equal(await page.locator('form .problem').count(), 0, 'the message is at the field, not the top of the form');
    await register.evaluate((el) => el.setAttribute('value', 'register'));
    await shot(page, 'settings-tokens-scope');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'settings-tokens-scope-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(admin.problems, []);
  });

  test('a viewer on a phone in dark mode: no admin settings, no actions, and the API refuses them too', async () => {
    const viewer = await openTab(browser, t.url, { width: 390, height: 844 }, 'dark');
    try {
      await signIn(viewer.page, 'vera@example.com', 'viewer-password-1');
      await viewer.page.locator(`tr[data-node="${node.uuid}"] [data-status]`).waitFor();
      await viewer.page.locator('[data-chart="workspace"][data-drawn="true"]').waitFor();
      const bg = await viewer.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(14, 17, 22)', 'dark theme from the system preference');
      const width = await viewer.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling on a phone (${width}px)`);
      await shot(viewer.page, 'overview-phone-dark');
      await viewer.page.getByRole('link', { name: 'Settings' }).click();
      await viewer.page.getByRole('heading', { name: 'Notification channels' }).waitFor();
      assert.equal(await viewer.page.getByRole('link', { name: 'Users' }).count(), 0);
      assert.equal(await viewer.page.getByRole('button', { name: 'Add channel' }).count(), 0);
      const refused = await viewer.page.evaluate(async (h) => {
        const r = await fetch('/api/dash/users', { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify({ email: 'x@example.com', name: 'x', role: 'admin', password: 'xxxxxxxxxxxxxxxx' }) });
        return { status: r.status, body: (await r.json()) };
      }, CSRF);
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /admin role/);
      await shot(viewer.page, 'settings-viewer-phone-dark');
      assert.deepEqual(viewer.problems, []);
    } finally {
      await viewer.context.close();
    }
  });

  test('keyboard: skip link first, theme switch, and sign-out back to the sign-in page', async () => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await page.getByRole('button', { name: /Change theme/ }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.locator('[data-chart="workspace"][data-drawn="true"]').waitFor();
    await shot(page, 'overview-dark');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/dash/me')).status);
    assert.equal(me, 401, 'the session is gone on the server too');
  });
});
