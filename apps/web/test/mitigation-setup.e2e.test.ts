// Mitigation set up in the browser, no API call by hand: an admin adds a GoBGP adapter through its
// form (drawn from the type's config schema) against a real gobgpd (alone in a namespace of its own:
// the end-to-end test follows a rule to an upstream peer), tests it and sees the latency, edits it; sets a policy tier; an operator adds a per-host threshold,
// allowlists a prefix (and sees the node it protects) and announces a FlowSpec rule that lands in
// gobgpd's RIB; a wrong value in each form shows the API's own message at the field; a viewer sees
// nothing to click and the operator none of the admin's buttons; every change is in the audit log;
// the admin deletes the adapter, its rule withdrawn from gobgpd.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADAPTER_TYPES } from '@breakwater/contracts';
import { gobgpdConfig, run, runOk, sqliteBackend, startGobgpd, waitFor, type GobgpdInstance } from '@breakwater/testing';
import { gobgpCliRibKeys, startWebhookFake, type WebhookFake } from '@breakwater/mitigation/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn, type Tab } from './browser.ts';

const NODE_IP = '198.18.7.10';
const FLOW_TARGET = '198.18.9.9';
const exact = { exact: true } as const;

describe('mitigation set up in a browser', () => {
  let t: TestServer;
  let gobgpd: GobgpdInstance;
  let hook: WebhookFake;
  let dir: string;
  const ns = `bw-webm-${process.pid}`;
  /** What gobgpd holds now, as ruleKeys. */
  const rib = async () => gobgpCliRibKeys(await gobgpd.gobgp(['-j', 'global', 'rib', '-a', 'ipv4-flowspec']));
  let browser: Browser;
  let admin: Tab;
  let operator: Tab;
  let viewer: Tab;
  let adapterId: string;
  let ruleId: string;
  const nodeName = 'web-7';

  /** The API's own answer to the same wrong body, to compare with what the field shows. */
  const apiMessage = async (method: string, path: string, body: unknown) => {
    const r = await t.request(method, path, { body });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    return r.body.error.message as string;
  };
  const fieldError = (page: Page, form: string, name: string) => page.locator(`[data-form="${form}"] .field:has([name="${name}"]) .field-error`);

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'bw-webm-'));
    await runOk('ip', ['netns', 'add', ns]);
    await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // Signing in hashes passwords, the slowest part here: the server, gobgpd and Chromium start
    // together, and the three roles sign in at once, each tab kept for its tests.
    const server = async () => {
      // gobgpd's API socket is in the test's directory: the operator's config lets adapters use it.
      // The webhook receiver listens on loopback: the outbound config grants webhook adapters loopback.
      t = await startTestServer(sqliteBackend, { mitigation: { tickMs: 50, reconcileMs: 30_000, timeoutMs: 3000, maxAttempts: 3, socketDirs: [dir] }, outbound: { adapters: { webhook: ['loopback'] } } });
      await Promise.all([addTeam(t), t.deploy(t.admin, nodeName, NODE_IP)]);
    };
    [gobgpd, browser, hook] = await Promise.all([
      startGobgpd({ ns, dir, name: 'speaker', config: gobgpdConfig({ as: 65001, routerId: '10.200.9.1', listenAddresses: ['127.0.0.1'], neighbors: [], listenPort: -1 }) }),
      launch(),
      startWebhookFake(),
      server(),
    ]);
    [admin, operator, viewer] = await Promise.all([openTab(browser, t.url), openTab(browser, t.url), openTab(browser, t.url, { width: 390, height: 844 }, 'dark')]);
    await Promise.all([
      signIn(admin.page, t.admin.email, t.admin.password), signIn(operator.page, 'olga@example.com', 'operator-password-123'), signIn(viewer.page, 'vic@example.com', 'viewer-password-123'),
    ]);
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await hook?.stop();
    await gobgpd?.stop();
    await run('ip', ['netns', 'del', ns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an admin adds a GoBGP adapter through its form: a wrong option is named at its field, then it is up', async () => {
    const page = admin.page;
    await page.getByRole('link', { name: 'Mitigation' }).click();
    await page.getByText('No adapter yet.').waitFor();
    await page.getByRole('button', { name: 'Add adapter' }).click();
    const form = page.getByRole('form', { name: 'Add adapter' });
    // Every type the API takes is offered, each with its own config fields.
    const types = await form.getByLabel('adapter type').locator('option').allTextContents();
    assert.deepEqual(types.sort(), [...ADAPTER_TYPES].sort());
    await form.getByLabel('adapter type').selectOption('frr');
    await form.getByLabel('local as', exact).waitFor();
    await form.getByLabel('adapter type').selectOption('gobgp');
    assert.equal(await form.getByLabel('auth token').count(), 0, 'gobgp takes no token');
    await form.getByLabel('name', exact).fill('edge-gobgp');
    await form.getByLabel('endpoint', exact).fill(gobgpd.target);
    await form.getByLabel('communities', exact).fill('65535:666\nnot-a-community');
    await shot(page, 'mitigation-adapter-form');
    await form.getByRole('button', { name: 'Add adapter' }).click();
    const err = fieldError(page, 'adapter', 'config.communities');
    await err.waitFor();
    assert.equal(await err.textContent(), await apiMessage('POST', '/api/v1/mitigation/adapters', { adapter_type: 'gobgp', name: 'x', endpoint: gobgpd.target, config: { communities: ['65535:666', 'not-a-community'] } }));
    await shot(page, 'mitigation-adapter-form-error');
    await form.getByLabel('communities', exact).fill('65535:666');
    await form.getByRole('button', { name: 'Add adapter' }).click();
    const row = page.locator('tr[data-adapter-name="edge-gobgp"]');
    await row.locator('[data-adapter-status="up"]').waitFor();
    adapterId = (await row.getAttribute('data-adapter'))!;
    const stored = (await t.request('GET', '/api/v1/mitigation/adapters')).body.data[0];
    assert.equal(stored.endpoint, gobgpd.target);
    assert.deepEqual(stored.capabilities, ['blackhole', 'flowspec']);
  });

  test('it is tested (latency shown) and edited, its config kept', async () => {
    const page = admin.page;
    const row = page.locator('tr[data-adapter-name="edge-gobgp"]');
    await row.getByRole('button', { name: 'Test edge-gobgp' }).click();
    const result = row.locator('[role=status][data-test-result="ok"]');
    await result.waitFor();
    const latency = Number(await result.getAttribute('data-latency-ms'));
    assert.ok(Number.isInteger(latency) && latency >= 0, `latency ${latency}`);
    assert.match((await result.textContent())!, new RegExp(`^OK: .+ \\(${latency} ms\\)$`));
    await row.locator('.muted', { hasText: `, ${latency} ms` }).waitFor();
    await shot(page, 'mitigation-adapter-tested');

    await row.getByRole('button', { name: 'Edit edge-gobgp' }).click();
    const form = page.getByRole('form', { name: 'Edit adapter edge-gobgp' });
    assert.equal(await form.getByLabel('endpoint', exact).inputValue(), gobgpd.target);
    await form.getByLabel('name', exact).fill('edge-gobgp-main');
    await form.getByLabel('max active rules').fill('50');
    await form.getByRole('button', { name: 'Save adapter' }).click();
    await page.locator('tr[data-adapter-name="edge-gobgp-main"] [data-adapter-status="up"]').waitFor();
    const stored = (await t.request('GET', '/api/v1/mitigation/adapters')).body.data[0];
    assert.equal(stored.name, 'edge-gobgp-main');
    assert.equal(stored.max_active_rules, 50);
    assert.deepEqual(stored.config.communities, ['65535:666'], 'the config it was saved with is kept');
  });

  test('a secret left untouched in the edit form is kept: the webhook receiver still verifies the signature', async () => {
    const created = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: 'hook', endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, capabilities: ['blackhole'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const page = admin.page;
    await page.reload();
    const row = page.locator('tr[data-adapter-name="hook"]');
    await row.getByRole('button', { name: 'Edit hook' }).click();
    const form = page.getByRole('form', { name: 'Edit adapter hook' });
    const token = form.getByLabel('auth token');
    assert.equal(await token.getAttribute('type'), 'password');
    assert.equal(await token.inputValue(), created.body.data.auth_token, 'only the mask is put in the page, never the secret');
    assert.match(created.body.data.auth_token, /^\*{4}/);
    await form.getByLabel('name', exact).fill('hook-2');
    await form.getByRole('button', { name: 'Save adapter' }).click();
    const saved = page.locator('tr[data-adapter-name="hook-2"]');
    await saved.getByRole('button', { name: 'Test hook-2' }).click();
    await saved.locator('[role=status][data-test-result="ok"]').waitFor();
    assert.deepEqual(hook.problems, []);
    page.once('dialog', (d) => void d.accept());
    await saved.getByRole('button', { name: 'Delete hook-2' }).click();
    await saved.waitFor({ state: 'detached' });
  });

  test('an admin sets a policy tier: a wrong threshold is named at its field', async () => {
    const page = admin.page;
    await page.getByRole('button', { name: 'Edit policy' }).click();
    const form = page.getByRole('form', { name: 'Escalation policy' });
    await form.getByRole('button', { name: 'Add tier' }).click();
    const tier = form.getByRole('group', { name: 'Tier 1' });
    await tier.getByLabel('pps', exact).fill('0');
    await tier.getByLabel('action', exact).selectOption('blackhole');
    await tier.getByLabel('adapter id').selectOption({ label: 'edge-gobgp-main (gobgp)' });
    await tier.getByLabel('ttl', exact).fill('600');
    await form.getByRole('button', { name: 'Save policy' }).click();
    const err = fieldError(page, 'policy', 'thresholds.0.pps');
    await err.waitFor();
    assert.equal(await err.textContent(), await apiMessage('PUT', '/api/v1/mitigation/escalation-policy', { thresholds: [{ name: 'tier1', pps: 0, action: 'blackhole', adapter_id: adapterId, ttl: 600 }] }));
    await shot(page, 'mitigation-policy-form-error');
    await tier.getByLabel('pps', exact).fill('100000');
    await form.getByLabel('hold down seconds').fill('120');
    await form.getByLabel('dry run', exact).selectOption('false');
    await form.getByRole('button', { name: 'Save policy' }).click();
    const row = page.locator('table[data-table="policy-tiers"] tr[data-tier="tier1"]');
    await row.waitFor();
    assert.match((await row.textContent())!, /100(\.0)? ?k.*blackhole.*edge-gobgp-main.*600 s/);
    const p = (await t.request('GET', '/api/v1/mitigation/escalation-policy')).body.data;
    assert.deepEqual(p.thresholds, [{ name: 'tier1', pps: 100000, action: 'blackhole', adapter_id: adapterId, ttl: 600 }]);
    assert.equal(p.hold_down_seconds, 120);
    await shot(page, 'mitigation-policy');
  });

  test('an operator adds a per-host threshold, allowlists a prefix from the keyboard (seeing the node it protects) and announces a FlowSpec rule', async () => {
    const page = operator.page;
    await page.goto('/mitigation');
    await page.locator('tr[data-adapter-name="edge-gobgp-main"]').waitFor();
    // The admin's buttons are not offered to an operator (the API refuses them: 403).
    for (const name of ['Add adapter', 'Edit edge-gobgp-main', 'Delete edge-gobgp-main', 'Edit policy']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    await page.getByRole('button', { name: 'Test edge-gobgp-main' }).waitFor();

    // Per-host threshold: the form asks for the policy's tiers.
    await page.getByRole('button', { name: 'Add override' }).click();
    const th = page.getByRole('form', { name: 'Add override' });
    await th.getByLabel('target ip').fill('not-an-ip');
    await th.getByLabel('tier1_pps', exact).fill('5000');
    await th.getByRole('button', { name: 'Save override' }).click();
    const thErr = fieldError(page, 'threshold', 'target_ip');
    await thErr.waitFor();
    assert.equal(await thErr.textContent(), await apiMessage('POST', '/api/v1/mitigation/thresholds', { target_ip: 'not-an-ip', thresholds: { tier1_pps: 5000 } }));
    await th.getByLabel('target ip').fill('198.18.7.0/24');
    await th.getByRole('button', { name: 'Save override' }).click();
    await page.locator('tr[data-threshold="198.18.7.0/24"]', { hasText: 'tier1_pps 5,000' }).waitFor();
    await shot(page, 'mitigation-thresholds');

    // Allowlist: a wrong address first, then the node's /24, which protects the node.
    // From the keyboard alone: the button opens the form with its first field focused, Enter sends it.
    await page.getByRole('button', { name: 'Add to allowlist' }).focus();
    await page.keyboard.press('Enter');
    const al = page.getByRole('form', { name: 'Add to allowlist' });
    await page.keyboard.type('198.18.7.300');
    assert.equal(await al.getByLabel('ip address').inputValue(), '198.18.7.300');
    await page.keyboard.press('Enter');
    const alErr = fieldError(page, 'allowlist', 'ip_address');
    await alErr.waitFor();
    assert.equal(await alErr.textContent(), await apiMessage('POST', '/api/v1/allowlist', { ip_address: '198.18.7.300' }));
    await al.getByLabel('ip address').fill('198.18.7.0/24');
    await al.getByLabel('label', exact).fill('web farm');
    await al.getByRole('button', { name: 'Allowlist' }).click();
    const entry = page.locator('tr[data-allow="198.18.7.0/24"]');
    await entry.locator('[data-protects]', { hasText: `${nodeName} (${NODE_IP})` }).waitFor();
    // A node-scoped entry: the node's own address, on that node only.
    await page.getByRole('button', { name: 'Add to allowlist' }).click();
    await al.getByLabel('ip address').fill(NODE_IP);
    await al.getByLabel('scope', exact).selectOption('node');
    await al.getByLabel('node', exact).selectOption({ label: `${nodeName} (${NODE_IP})` });
    await al.getByRole('button', { name: 'Allowlist' }).click();
    const nodeEntry = page.locator(`tr[data-allow^="${NODE_IP}"]`);
    await nodeEntry.filter({ hasText: `node ${nodeName}` }).locator('[data-protects]', { hasText: `${nodeName} (${NODE_IP})` }).waitFor();
    const stored = (await t.request('GET', '/api/v1/allowlist')).body.data as { scope: string; node: string | null }[];
    assert.deepEqual(stored.map((e) => e.scope).sort(), ['node', 'workspace']);
    await shot(page, 'mitigation-allowlist');

    // A FlowSpec rule by hand: a port out of range is named at its field, then it reaches the upstream peer.
    const rule = page.getByRole('form', { name: 'Announce a rule' });
    await rule.getByLabel('intent type').selectOption('flowspec');
    await rule.getByLabel('target ip').fill(FLOW_TARGET);
    await rule.getByLabel('protocols').fill('udp');
    await rule.getByLabel('destination ports').fill('70000');
    await rule.getByLabel('action', exact).selectOption('rate-limit');
    await rule.getByLabel('bytes per second').fill('1000');
    await rule.getByLabel('reason').fill('amplification to one host');
    await rule.getByRole('button', { name: 'Announce' }).click();
    const ruleErr = fieldError(page, 'rule', 'match.destination_ports');
    await ruleErr.waitFor();
    assert.equal(await ruleErr.textContent(), await apiMessage('POST', '/api/v1/mitigation/rules', {
      target_ip: FLOW_TARGET, intent_type: 'flowspec', adapter_id: adapterId, reason: 'amplification to one host',
      match: { protocols: [17], destination_ports: [{ from: 70000, to: 70000 }] }, action: { type: 'rate-limit', bytes_per_second: 1000 },
    }));
    await shot(page, 'mitigation-rule-form-error');
    await rule.getByLabel('destination ports').fill('53, 123');
    await rule.getByRole('button', { name: 'Announce' }).click();
    await rule.getByRole('status').filter({ hasText: `flowspec rule for ${FLOW_TARGET}/32: active` }).waitFor();
    const active = (await t.request('GET', '/api/v1/mitigation/rules')).body.data;
    assert.equal(active.length, 1);
    ruleId = active[0].id;
    assert.deepEqual(active[0].spec.match.destination_ports, [{ from: 53, to: 53 }, { from: 123, to: 123 }]);
    assert.deepEqual(active[0].spec.action, { type: 'rate-limit', bytes_per_second: 1000 });
    assert.ok([...(await rib())].some((k) => k.startsWith('flowspec|') && k.includes(FLOW_TARGET)), [...(await rib())].join(', '));
    await page.locator(`[data-table="active-rules"] tr[data-rule="${ruleId}"] [data-flowspec]`, { hasText: 'dport 53,123 → rate-limit 1000 B/s' }).waitFor();
    await shot(page, 'mitigation-operator-setup');
    assert.deepEqual(operator.problems, []);
  });

  test('a viewer (on a phone, dark theme) sees the adapter, tier, override, allowlist entries and rule, and nothing to click', async () => {
    const page = viewer.page;
    await page.goto('/mitigation');
    await page.locator(`[data-table="active-rules"] tr[data-rule="${ruleId}"]`).waitFor();
    for (const sel of ['tr[data-adapter-name="edge-gobgp-main"]', 'tr[data-tier="tier1"]', 'tr[data-threshold="198.18.7.0/24"]', 'tr[data-allow="198.18.7.0/24"]']) await page.locator(sel).waitFor();
    assert.equal(await page.locator('main button').count(), 0, 'no button at all on the page for a viewer');
    assert.equal(await page.locator('main form').count(), 0);
    await shot(page, 'mitigation-viewer-setup');
    assert.deepEqual(viewer.problems, []);
  });

  test('every change is in the audit log; deleting the adapter withdraws its rule upstream', async () => {
    const page = admin.page;
    await page.reload();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete edge-gobgp-main' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted edge-gobgp-main; 1 rule(s) withdrawn.' }).waitFor();
    await page.locator('tr[data-adapter-name="edge-gobgp-main"]').waitFor({ state: 'detached' });
    await waitFor('the FlowSpec rule gone from gobgpd', async () => ![...(await rib())].some((k) => k.includes(FLOW_TARGET)), 10_000, 100);
    const cookie = await t.login(t.admin.email, t.admin.password);
    const audit = await t.request('GET', '/api/dash/audit?limit=100', { token: null, headers: { cookie } });
    assert.equal(audit.status, 200);
    const actions = (audit.body.data as { action: string; actor: string }[]).map((a) => `${a.action} ${a.actor}`);
    for (const want of [
      /^mitigation\.adapter\.create /, /^mitigation\.adapter\.update /, /^mitigation\.policy\.save /, /^mitigation\.threshold\.save .*olga@example\.com/,
      /^allowlist\.add .*olga@example\.com/, /^mitigation\.rule\.create .*olga@example\.com/, /^mitigation\.adapter\.delete /,
    ]) assert.ok(actions.some((a) => want.test(a)), `${want} in ${actions.join(' | ')}`);
    assert.deepEqual(admin.problems, []);
  });
});
