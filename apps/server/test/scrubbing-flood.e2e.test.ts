// End to end: `breakwater server` and an enrolled `breakwater agent` in a victim namespace, a local
// OVH API (the checking fake, its signature and all) beside them, and real floods from an attacker
// namespace. A flood above the policy's scrubbing tier puts the victim's address in OVH permanent
// mitigation through the configured integration, and takes it out once the incident resolved and
// the hold-down passed; under dry-run the flood is recorded and OVH hears nothing; an allowlisted
// victim is never diverted.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inNs, startStack } from '@breakwater/agent/testing';
import { waitFor, withNamespaces } from '@breakwater/testing';

const RUNNER = join(import.meta.dirname, 'fixtures', 'ovh-fake-runner.ts');
const HOLD_DOWN_S = 3;

test('a flood reported by the agent above the scrubbing tier diverts through OVH and returns after resolve + hold-down; dry-run and allowlist divert nothing', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-scrub-e2e-'));
  const savedAllow = process.env.BREAKWATER_OUTBOUND_ALLOW;
  let fake: ChildProcess | null = null;
  try {
    await withNamespaces(async (n) => {
      const block = `${n.victimIp.split('.').slice(0, 3).join('.')}.0/24`;
      fake = spawn('ip', ['netns', 'exec', n.victim, process.execPath, RUNNER, '--block', block, '--settle-ms', '300'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      fake.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const creds = await waitFor('the OVH fake listening', () => (out.includes('\n') ? JSON.parse(out.slice(0, out.indexOf('\n'))) as Record<string, string> : undefined), 20_000);
      const reqs = (what: RegExp) => out.split('\n').filter((l) => l.startsWith('REQ ') && what.test(l));
      const posts = () => reqs(/^REQ POST \/1\.0\/ip\/.+\/mitigation$/).length;

      // The server reads its outbound grants from the environment, as an operator's unit would set them.
      process.env.BREAKWATER_OUTBOUND_ALLOW = 'scrubbing.ovh_mitigation=loopback';
      const stack = await startStack(n, dir, { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } });
      const call = (method: string, path: string, body?: unknown) => {
        const js = `const r = await fetch(${JSON.stringify(stack.url + path)}, { method: ${JSON.stringify(method)}, headers: { authorization: ${JSON.stringify(`Bearer ${stack.apiToken}`)}, 'content-type': 'application/json' }${body === undefined ? '' : `, body: ${JSON.stringify(JSON.stringify(body))}`} }); process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));`;
        const r = inNs(n.victim, ['--input-type=module', '-e', js]);
        if (r.status !== 0) throw new Error(r.stderr);
        return JSON.parse(r.stdout) as { status: number; body: any };
      };
      const flood = () => {
        const f = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7777', '-d', '64', '-i', 'u40', '-c', '20000', '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
        assert.ok(f.status === 0 || f.status === 1, f.stderr);
      };
      let incidents = 0;
      const nextIncident = async () => {
        incidents++;
        let last = '';
        return waitFor(`incident ${incidents} resolved`, () => {
          const list = stack.get(`/api/v1/incidents?node=${stack.nodeUuid}&limit=100`);
          last = JSON.stringify(list.data?.map((i: any) => [i.status, i.attack_family, i.peak_pps]));
          return list.meta?.total === incidents && list.data[0].status === 'resolved' ? list.data[0] : undefined;
        }, 30_000, 250).catch((err: Error) => { throw new Error(`${err.message}: incidents ${last}`); });
      };
      try {
        const created = call('POST', '/api/v1/scrubbing', {
          integration_type: 'ovh_mitigation', name: 'OVH VAC',
          config: { application_key: creds.applicationKey, application_secret: creds.applicationSecret, consumer_key: creds.consumerKey, ip_blocks: [block], api_url: creds.apiUrl },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const id = created.body.data.id as string;
        const tested = call('POST', `/api/v1/scrubbing/${id}/test`, {});
        assert.equal(tested.body.data?.ok, true, `signed requests accepted: ${JSON.stringify(tested.body)}`);
        const tier = { name: 'scrub', pps: 3000, action: 'scrubbing', integration_id: id, ttl: 3600 };
        assert.equal(call('PUT', '/api/v1/mitigation/escalation-policy', { thresholds: [tier], hold_down_seconds: HOLD_DOWN_S, dry_run: false }).status, 200);
        const history = () => call('GET', `/api/v1/scrubbing/${id}/history?limit=50`).body.data;

        // 1. A real flood: diverted while it lasts, returned after resolve + hold-down.
        flood();
        await waitFor('OVH asked for permanent mitigation', () => posts() === 1, 30_000, 100);
        const first = await nextIncident();
        const d1 = await waitFor('the diversion returned', () => {
          const d = history().diversions.find((x: any) => x.incident_id === first.uuid);
          return d && (d.state === 'withdrawing' || d.state === 'idle') ? d : undefined;
        }, 30_000, 250);
        // "withdrawing" is stored before OVH is asked: the request follows it.
        await waitFor('OVH asked to remove it', () => reqs(/^REQ DELETE /).length === 1, 10_000, 50);
        assert.equal(d1.owner, 'policy');
        assert.equal(d1.tier, 'scrub');
        assert.equal(d1.target, n.victimIp);
        assert.equal(d1.end_reason, 'incident resolved (hold-down over)');
        const resolvedAt = Date.parse(stack.get(`/api/v1/incidents/${first.uuid}`).data.resolved_at);
        assert.ok(Date.parse(d1.withdrawing_at) >= resolvedAt + HOLD_DOWN_S * 1000, `withdrawn ${Date.parse(d1.withdrawing_at) - resolvedAt} ms after the resolve: not before the hold-down`);

        // 2. Dry-run: recorded, OVH hears nothing.
        call('PUT', '/api/v1/mitigation/escalation-policy', { thresholds: [tier], hold_down_seconds: HOLD_DOWN_S, dry_run: true });
        flood();
        const second = await nextIncident();
        const d2 = await waitFor('the dry run recorded', () => history().diversions.find((x: any) => x.incident_id === second.uuid), 20_000, 250);
        assert.equal(d2.dry_run, true);
        assert.equal(posts(), 1, 'no new request to OVH under dry-run');

        // 3. The victim allowlisted: refused, never diverted.
        call('PUT', '/api/v1/mitigation/escalation-policy', { thresholds: [tier], hold_down_seconds: HOLD_DOWN_S, dry_run: false });
        assert.equal(call('POST', '/api/v1/allowlist', { ip_address: n.victimIp, label: 'the victim itself' }).status, 201);
        flood();
        const third = await nextIncident();
        const d3 = await waitFor('the refusal recorded', () => history().diversions.find((x: any) => x.incident_id === third.uuid), 20_000, 250);
        assert.equal(d3.state, 'refused');
        assert.match(d3.error, /allowlist/);
        assert.equal(posts(), 1, 'OVH never asked for the allowlisted address');
        assert.deepEqual(out.split('\n').filter((l) => l.startsWith('PROBLEM')), [], 'every request as OVH documents it');
      } finally {
        await stack.stopAll();
      }
    });
  } finally {
    if (savedAllow === undefined) delete process.env.BREAKWATER_OUTBOUND_ALLOW;
    else process.env.BREAKWATER_OUTBOUND_ALLOW = savedAllow;
    const f = fake as ChildProcess | null;
    if (f && f.exitCode === null) {
      f.kill('SIGTERM');
      await new Promise((r) => f.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
