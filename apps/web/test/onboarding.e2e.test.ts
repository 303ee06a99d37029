// The "Must show", in a real Chromium against a real server: from an empty workspace and
// only through the browser, an admin adds a GoBGP adapter that speaks to a real gobgpd (peering
// with an upstream BIRD and a second gobgpd in namespaces of their own), tests it, sets a policy
// tier, allowlists a prefix, adds a channel through its form, adds a node on the Nodes page and runs
// the enrol and run commands it shows, copied from the clipboard, for real inside a victim
// namespace; a bounded UDP flood from an attacker namespace is then blackholed at the upstream
// peers (the /32 in BIRD's table and in the gobgpd peer's RIB) and shows on the mitigation page,
// and the channel is told. An operator and a viewer then find only what their role allows.
//
// The agent in the victim namespace reaches the server (on this namespace's loopback) through a
// relay: a TCP listener on the same port inside the namespace, piped to a unix socket this process
// serves and forwards to the server. So the command the page shows (this page's origin) runs verbatim.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { sqliteBackend, waitFor, withNamespaces } from '@breakwater/testing';
import { SPEAKER_BEDS, startTestServer, type SpeakerBed, type TestServer } from '@breakwater/server/testing';
import { addTeam, ensureBuilt, launch, openTab, shot, signIn, type Tab } from './browser.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const CSRF = { 'x-breakwater-csrf': '1' };
const ALLOWED = '192.0.2.0/24';

/** The relay's namespace end: TCP on 127.0.0.1:PORT inside the namespace → the unix socket. */
const RELAY = `import { connect, createServer } from 'node:net';
const [port, sock] = process.argv.slice(1);
createServer((c) => { const u = connect(sock); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\\n'));`;

async function stopAll(children: ChildProcess[]): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill('SIGTERM');
  await Promise.all(running.map((c) => new Promise((r) => c.once('exit', r))));
}

/** A shell command inside a namespace, from the repository's root, awaited without blocking this process. */
function sh(ns: string, command: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', command], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('onboarding in the browser: adapter, policy, allowlist, channel, node enrolled with the shown command, a flood blackholed upstream; roles hold', { timeout: 240_000 }, async (tt) => {
  const s0 = Date.now();
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'bw-onboarding-'));
  const children: ChildProcess[] = [];
  let bed: SpeakerBed | undefined;
  let t: TestServer | undefined;
  let unix: Server | undefined;
  let hook: HttpServer | undefined;
  // The speakers take longest (gobgpd waits seconds before its first session): they start while
  // the server, the browser and the sign-ins do. Their sockets live under the temp dir, which the
  // server's config lets adapters reach.
  const bedReady = SPEAKER_BEDS.gobgp!().then((b) => (bed = b));
  bedReady.catch(() => undefined);
  const browser = await launch();
  try {
    // The channel's receiver: a webhook on loopback that records what it is sent.
    const received: { event?: string; incident?: { node?: { name?: string } } }[] = [];
    hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        try {
          received.push(JSON.parse(body) as (typeof received)[number]);
        } catch { /* not JSON: not ours */ }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hooks/breakwater`;

    t = await startTestServer(sqliteBackend, {
      mitigation: { tickMs: 50, reconcileMs: 1000, timeoutMs: 3000, maxAttempts: 5, socketDirs: [tmpdir()] },
      outbound: { channels: { webhook: ['loopback'] } },
    });
    const server = t;
    const team = addTeam(server);
    const port = Number(new URL(server.url).port);
    const sock = join(dir, 'relay.sock');
    unix = createServer((c) => {
      const s = connect(port, '127.0.0.1');
      c.pipe(s).pipe(c);
      c.on('error', () => s.destroy());
      s.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => unix!.listen(sock, r));

    await withNamespaces(async (n) => {
      try {
        const relay = spawn('ip', ['netns', 'exec', n.victim, process.execPath, '--input-type=module', '-e', RELAY, String(port), sock], { stdio: ['ignore', 'pipe', 'inherit'] });
        children.push(relay);
        let relayOut = '';
        relay.stdout.on('data', (d: Buffer) => (relayOut += d.toString()));

        const admin = await openTab(browser, server.url);
        await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
        const page = admin.page;
        // Pages here load beside an agent, a flood and three BGP daemons: more patience than the usual 10 s.
        page.setDefaultTimeout(20_000);
        await signIn(page, server.admin.email, server.admin.password);
        await waitFor('the relay in the victim namespace', () => relayOut.includes('ready'), 10_000);
        await Promise.all([bedReady, team]);
        tt.diagnostic(`speakers, server, namespaces and the admin's sign-in ready: ${Date.now() - s0} ms`);
        const t0 = Date.now();
        const lap = (what: string) => tt.diagnostic(`${what}: ${Date.now() - t0} ms`);
        /** The operator's and the viewer's tabs, signed in while the agent starts. */
        let roleTabs: Promise<[Tab, Tab]> | undefined;

        await tt.test('a GoBGP adapter added through its form answers its test with a latency', async () => {
          await page.getByRole('link', { name: 'Mitigation' }).click();
          await page.getByRole('button', { name: 'Add adapter' }).click();
          const form = page.getByRole('form', { name: 'Add adapter' });
          await form.getByLabel('adapter type', { exact: true }).selectOption('gobgp');
          await form.getByLabel('name', { exact: true }).fill('upstream-gobgp');
          await form.getByLabel('endpoint', { exact: true }).fill(bed!.endpoint);
          await form.getByRole('button', { name: 'Add adapter' }).click();
          const row = page.locator('tr[data-adapter-name="upstream-gobgp"]');
          await row.waitFor();
          await row.getByRole('button', { name: 'Test upstream-gobgp' }).click();
          const result = row.locator('[role=status][data-test-result]');
          await result.waitFor();
          assert.equal(await result.getAttribute('data-test-result'), 'ok', await result.innerText());
          assert.ok(Number(await result.getAttribute('data-latency-ms')) >= 0);
          assert.match(await result.innerText(), /^OK: .*\(\d+ ms\)$/);
        });

        await tt.test('a policy tier (blackhole above 3000 pps through that adapter) and an allowlisted prefix', async () => {
          await page.getByRole('button', { name: 'Edit policy' }).click();
          const form = page.getByRole('form', { name: 'Escalation policy' });
          await form.getByRole('button', { name: 'Add tier' }).click();
          const tier = form.getByRole('group', { name: 'Tier 1' });
          await tier.getByLabel('name', { exact: true }).fill('edge-blackhole');
          await tier.getByLabel('pps', { exact: true }).fill('3000');
          await tier.getByLabel('action', { exact: true }).selectOption('blackhole');
          await tier.getByLabel('adapter id', { exact: true }).selectOption({ label: 'upstream-gobgp (gobgp)' });
          await tier.getByLabel('ttl', { exact: true }).fill('600');
          // Rules stay 10 min after the incident ends: the flood below is short.
          await form.getByLabel('hold down seconds', { exact: true }).fill('600');
          // A tier name the API refuses first: its message is shown, and nothing is saved.
          await form.getByRole('button', { name: 'Save policy' }).click();
          await page.getByRole('alert').filter({ hasText: /^thresholds\.0\.name: must match pattern/ }).waitFor();
          await tier.getByLabel('name', { exact: true }).fill('edge_blackhole');
          await form.getByRole('button', { name: 'Save policy' }).click();
          await page.locator('table[data-table="policy-tiers"] tr[data-tier="edge_blackhole"]').waitFor().catch(async (e: unknown) => {
            await shot(page, 'onboarding-policy-failed');
            throw new Error(`${String(e)}; alerts: ${(await page.getByRole('alert').allInnerTexts()).join(' | ')}`);
          });

          await page.getByRole('button', { name: 'Add to allowlist' }).click();
          const allow = page.getByRole('form', { name: 'Add to allowlist' });
          await allow.getByLabel('ip address', { exact: true }).fill(ALLOWED);
          await allow.getByLabel('label', { exact: true }).fill('office');
          await allow.getByRole('button', { name: 'Allowlist' }).click();
          await page.locator(`tr[data-allow="${ALLOWED}"]`).waitFor();
          const policy = await server.request('GET', '/api/v1/mitigation/escalation-policy');
          assert.equal(policy.body.data.thresholds[0].action, 'blackhole');
          assert.equal(policy.body.data.thresholds[0].pps, 3000);
          await shot(page, 'onboarding-mitigation-set-up');
        });

        await tt.test('a webhook channel added through its form', async () => {
          await page.getByRole('link', { name: 'Settings' }).click();
          // The per-type form: the webhook's fields by config key.
          const form = page.getByRole('region', { name: 'Add a channel' });
          await form.waitFor();
          await form.getByLabel('Type', { exact: true }).selectOption('webhook');
          await form.getByLabel('name', { exact: true }).fill('noc-hook');
          await form.getByLabel('url', { exact: true }).fill(hookUrl);
          await page.getByRole('button', { name: 'Add channel' }).click();
          await waitFor('the channel stored', async () => (await server.request('GET', '/api/v1/channels')).body.data?.some((c: { name: string }) => c.name === 'noc-hook'), 10_000);
          await page.getByText('noc-hook').first().waitFor();
        });

        const configPath = join(dir, 'agent.json');
        let nodeUuid = '';
        await tt.test('a node added on the Nodes page enrols with the command it shows, copied and run for real', async () => {
          await page.getByRole('link', { name: 'Nodes', exact: true }).click();
          await page.getByText('No nodes yet: add one above.').waitFor();
          await page.getByRole('button', { name: 'Add a node' }).click();
          const form = page.getByRole('form', { name: 'Add a node' });
          await form.getByLabel('Node name').fill('edge-victim');
          await form.getByLabel('Interface').fill('eth0; rm -rf /');
          await form.getByRole('button', { name: 'Create enrolment command' }).click();
          await form.locator('[data-field-error="Interface"]').waitFor();
          await form.getByLabel('Interface').fill(n.victimIf);
          await form.getByLabel('Config file').fill(configPath);
          await form.getByRole('button', { name: 'Create enrolment command' }).click();
          const shown = (await page.locator('[data-enrol-command]').innerText()).trim();
          await page.getByRole('button', { name: 'Copy the enrol command' }).click();
          const copied = await page.evaluate(() => navigator.clipboard.readText());
          assert.equal(copied, shown, 'the clipboard holds the command shown');
          const url = server.url;
          assert.match(copied, new RegExp(`^\\./bin/breakwater\\.mjs agent enroll --server ${url.replace(/[.]/g, '\\.')} --deploy-token bwd_\\S+ --name edge-victim --interface ${n.victimIf} --config ${configPath.replace(/[.]/g, '\\.')}$`));
          await shot(page, 'nodes-add');

          const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
          // Not spawnSync: this process serves the relay and the server the command talks to.
          const enrol = await sh(n.victim, copied, env);
          lap('enrol ran');
          assert.equal(enrol.status, 0, enrol.stderr);
          nodeUuid = /enrolled as node (\S+);/.exec(enrol.stdout)![1]!;
          const enrolled = page.locator(`[data-enrolled="${nodeUuid}"]`);
          await enrolled.waitFor();
          lap('enrolled shown');
          await enrolled.getByRole('button', { name: 'Revoke the deploy token' }).click();
          await page.locator('[data-token-revoked]').waitFor();
          const token = /--deploy-token (\S+)/.exec(copied)![1]!;
          const again = await server.request('POST', '/api/deploy', { token, body: { name: 'late', ip: '198.51.100.1' } });
          assert.equal(again.status, 401, 'the revoked token enrols nothing more');

          // The agent's working directories and detection go in a temp dir and a test-sized threshold;
          // then the run command the page shows, copied too.
          const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
          assert.equal(config.node_uuid, nodeUuid);
          Object.assign(config, { spool_dir: join(dir, 'spool'), pcap_dir: join(dir, 'pcap'), detection: { thresholds: { pps: 2000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } } });
          writeFileSync(configPath, JSON.stringify(config));
          chmodSync(configPath, 0o600);
          await page.getByRole('button', { name: 'Copy the run command' }).click();
          const run = await page.evaluate(() => navigator.clipboard.readText());
          assert.equal(run, `./bin/breakwater.mjs agent run --config ${configPath}`);
          const agent = spawn('ip', ['netns', 'exec', n.victim, 'sh', '-c', `exec ${run}`], { cwd: REPO, env, stdio: ['ignore', 'ignore', 'inherit'] });
          children.push(agent);
          lap('agent started');
          // The viewer's on a phone in the dark theme.
          const tabAs = async (email: string, password: string, phone = false) => {
            const tab = phone ? await openTab(browser, server.url, { width: 390, height: 844 }, 'dark') : await openTab(browser, server.url);
            tab.page.setDefaultTimeout(20_000);
            await signIn(tab.page, email, password);
            return tab;
          };
          roleTabs = Promise.all([tabAs('olga@example.com', 'operator-password-123'), tabAs('vic@example.com', 'viewer-password-123', true)]);
          roleTabs.catch(() => undefined);
          await waitFor('the node online', async () => (await server.request('GET', `/api/v1/nodes/${nodeUuid}`)).body.data?.status === 'online', 60_000, 200);
          tt.diagnostic(`set up through the browser and online ${Date.now() - t0} ms after signing in`);
        });

        await tt.test('the node\'s settings: a wrong threshold shows the API\'s message at the field; tags and threshold saved; the list filters by tag', async () => {
          await page.reload();
          const row = page.locator(`tr[data-node="${nodeUuid}"]`);
          await row.waitFor();
          await row.getByRole('button', { name: 'Settings for edge-victim' }).click();
          const form = page.getByRole('form', { name: 'Settings of edge-victim' });
          await form.getByLabel('pps threshold').fill('0');
          await form.getByRole('button', { name: 'Save' }).click();
          const err = form.locator('[data-field-error="pps threshold"]');
          await err.waitFor();
          const api = await server.request('PATCH', `/api/v1/nodes/${nodeUuid}`, { body: { pps_threshold: 0 } });
          assert.equal(api.status, 400);
          assert.equal(await err.innerText(), api.body.error.message);
          await form.getByLabel('pps threshold').fill('2000');
          await form.getByLabel('tags').fill('edge\neu-west');
          await form.getByLabel('attack cooldown').fill('30');
          await form.getByRole('button', { name: 'Save' }).click();
          await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
          const saved = (await server.request('GET', `/api/v1/nodes/${nodeUuid}`)).body.data;
          assert.equal(saved.pps_threshold, 2000);
          assert.deepEqual(saved.tags, ['edge', 'eu-west']);
          assert.deepEqual(saved.agent_settings, { attack_cooldown: 30 });
          await page.getByLabel('Tag', { exact: true }).selectOption('edge');
          await page.waitForURL(/tag=edge/);
          await page.locator(`tr[data-node="${nodeUuid}"]`).waitFor();
          await shot(page, 'nodes-settings');
          // Search by part of the address, then by something no node has.
          await page.getByLabel('Search', { exact: true }).fill(n.victimIp.split('.').slice(2).join('.'));
          await page.getByLabel('Search', { exact: true }).press('Enter');
          await page.waitForURL(/q=/);
          await page.locator(`tr[data-node="${nodeUuid}"]`).waitFor();
          await page.getByLabel('Search', { exact: true }).fill('no-such-node');
          await page.getByLabel('Search', { exact: true }).press('Enter');
          await page.getByText('No node matches.').waitFor();
        });

        await tt.test('a bounded flood against the node is blackholed at the upstream peers and shows on the mitigation page', async () => {
          const victim = `blackhole|${n.victimIp}/32`;
          assert.equal((await bed!.observe()).has(victim), false);
          // ~10-20 kpps for about three seconds: far above the tier's 3000 pps.
          const flood = spawn('ip', ['netns', 'exec', n.attacker, 'timeout', '-s', 'INT', '10', 'hping3', '--udp', '-p', '7777', '-d', '64', '-i', 'u50', '-c', '60000', '-q', n.victimIp], { stdio: 'ignore' });
          children.push(flood);
          const f0 = Date.now();
          await waitFor('the /32 at the upstream BIRD', async () => (await bed!.observe()).has(victim), 30_000, 100);
          tt.diagnostic(`blackhole at the upstream BIRD ${Date.now() - f0} ms after the flood started`);
          const communities = await bed!.communities(victim);
          assert.ok(communities?.includes('65535:666'), `communities ${JSON.stringify(communities)}`);
          await page.getByRole('link', { name: 'Mitigation' }).click();
          const rule = page.locator('[data-table="active-rules"] tr', { hasText: n.victimIp });
          await rule.waitFor({ timeout: 15_000 });
          await shot(page, 'onboarding-blackholed');
          await waitFor('the /32 in the gobgpd peer\'s RIB', async () => (await bed!.secondPeer!()).has(victim), 30_000, 200);
          await waitFor('the channel told of the incident', () => received.some((m) => JSON.stringify(m).includes('edge-victim')), 20_000, 200);
          assert.deepEqual(admin.problems, []);
        });

        await tt.test('an operator edits nodes but cannot add or delete one; a viewer sees no button and the API refuses', async () => {
          const [op, viewer] = await roleTabs!;
          try {
            // From the node's own page to its settings.
            await op.page.goto(`/nodes/${nodeUuid}`);
            await op.page.getByRole('link', { name: 'Edit node' }).click();
            await op.page.getByRole('form', { name: 'Settings of edge-victim' }).waitFor();
            await op.page.getByRole('button', { name: 'Settings for edge-victim' }).waitFor();
            await op.page.getByRole('link', { name: 'Install one-liner' }).waitFor();
            assert.equal(await op.page.getByRole('button', { name: 'Add a node' }).count(), 0);
            assert.equal(await op.page.getByRole('button', { name: /^Delete / }).count(), 0);
            assert.deepEqual(op.problems, []);

            await viewer.page.goto('/nodes');
            await viewer.page.locator(`tr[data-node="${nodeUuid}"]`).waitFor();
            assert.equal(await viewer.page.getByRole('button', { name: /Add a node|Settings for|Delete/ }).count(), 0);
            await shot(viewer.page, 'nodes-viewer-phone-dark');
            await viewer.page.goto('/mitigation');
            await viewer.page.locator('tr[data-adapter-name="upstream-gobgp"]').waitFor();
            assert.equal(await viewer.page.getByRole('button', { name: /Add adapter|Edit policy|Add to allowlist|Test |Withdraw|Delete|Edit / }).count(), 0);
            const refused = await viewer.page.evaluate(async ([id, h]) => {
              const json = { ...h, 'content-type': 'application/json' };
              const patch = await fetch(`/api/v1/nodes/${id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ name: 'mine' }) });
              const token = await fetch('/api/dash/tokens', { method: 'POST', headers: json, body: JSON.stringify({ name: 'x', kind: 'deploy' }) });
              const del = await fetch(`/api/agents/${id}`, { method: 'DELETE', headers: h });
              return [patch.status, token.status, del.status];
            }, [nodeUuid, CSRF] as const);
            assert.deepEqual(refused, [403, 403, 403]);
            assert.deepEqual(viewer.problems, []);
            lap('roles checked');
          } finally {
            await op.context.close();
            await viewer.context.close();
          }
          // Every change above is in the audit log under the person who made it.
          const audit = await page.evaluate(async () => (await (await fetch('/api/dash/audit?limit=200')).json()) as { data: { action: string; actor: string }[] });
          for (const a of ['mitigation.adapter.create', 'mitigation.policy.save', 'allowlist.add', 'channel.create', 'token.create', 'token.revoke', 'node.update']) {
            const entry = audit.data.find((x) => x.action === a);
            assert.ok(entry, `audit has ${a}: ${audit.data.map((x) => x.action).join(', ')}`);
            assert.match(entry.actor, new RegExp(server.admin.email.replace(/[.]/g, '\\.')), a);
          }
        });
      } finally {
        // The agent and relay go before their namespace does.
        await stopAll(children);
      }
    });
  } finally {
    await stopAll(children);
    await browser.close();
    await t?.stop();
    await bedReady.catch(() => undefined);
    await bed?.destroy();
    unix?.close();
    hook?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
