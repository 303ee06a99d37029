// End to end: `breakwater server` and an enrolled `breakwater agent` in a victim namespace, a
// webhook receiver beside them, and a real UDP flood from an attacker namespace. The flood opens an
// incident that fires a runbook: its iptables step lands in the node's nftables table (the top
// source blocked), its webhook arrives signed, the wait holds, two conditions branch on the pps the
// node reports (one holds, one does not), and when the incident resolves the undo removes the rule
// from the node. The execution history shows each step.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inNs, startStack } from '@breakwater/agent/testing';
import { verifyWebhook } from '@breakwater/outbound';
import { waitFor, withNamespaces } from '@breakwater/testing';

const RUNNER = join(import.meta.dirname, 'fixtures', 'runbook-hook-runner.ts');
const SECRET = 'e2e-runbook-secret-0123456789';

test('a runbook fired by a real flood blocks in nftables, signs its webhook, waits, branches on the pps and undoes on resolve', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-runbook-e2e-'));
  const savedAllow = process.env.BREAKWATER_OUTBOUND_ALLOW;
  let hook: ChildProcess | null = null;
  let flood: ChildProcess | null = null;
  try {
    await withNamespaces(async (n) => {
      hook = spawn('ip', ['netns', 'exec', n.victim, process.execPath, RUNNER], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      hook.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const { url } = await waitFor('the receiver listening', () => (out.includes('\n') ? JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string } : undefined), 20_000);
      const received = () => out.split('\n').filter((l) => l.startsWith('REQ ')).map((l) => JSON.parse(l.slice(4)) as { headers: Record<string, string>; body: string; at: number });

      process.env.BREAKWATER_OUTBOUND_ALLOW = 'channels.webhook=loopback';
      const stack = await startStack(n, dir, { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } });
      const nft = () => spawnSync('ip', ['netns', 'exec', n.victim, 'nft', 'list', 'table', 'inet', 'breakwater'], { encoding: 'utf8' }).stdout;
      const call = (method: string, path: string, body?: unknown) => {
        const js = `const r = await fetch(${JSON.stringify(stack.url + path)}, { method: ${JSON.stringify(method)}, headers: { authorization: ${JSON.stringify(`Bearer ${stack.apiToken}`)}, 'content-type': 'application/json' }${body === undefined ? '' : `, body: ${JSON.stringify(JSON.stringify(body))}`} }); process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));`;
        const r = inNs(n.victim, ['--input-type=module', '-e', js]);
        if (r.status !== 0) throw new Error(r.stderr);
        return JSON.parse(r.stdout) as { status: number; body: any };
      };
      try {
        const created = call('POST', '/api/v1/runbooks', {
          name: 'udp flood response', trigger_conditions: { nodes: [stack.nodeUuid], min_pps: 3000, events: ['opened'] },
          steps: [
            { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '{{incident.top_source}}' }, ttl: 600 } },
            { action_type: 'webhook', action_config: { url, secret: SECRET, payload: { phase: 'opened', target: '{{incident.target}}', node: '{{node.name}}' } } },
            { action_type: 'wait', action_config: { seconds: 2 } },
            { action_type: 'condition', action_config: { when: [{ field: 'incident.current_pps', op: 'gt', value: 1000 }], else: 'skip', skip_steps: 1 } },
            { action_type: 'webhook', action_config: { url, secret: SECRET, payload: { phase: 'still_high', pps: '{{incident.current_pps}}' } } },
            { action_type: 'condition', action_config: { when: [{ field: 'incident.current_pps', op: 'gt', value: 100_000_000 }], else: 'skip', skip_steps: 1 } },
            { action_type: 'webhook', action_config: { url, secret: SECRET, payload: { phase: 'never' } } },
            { action_type: 'log', action_config: { message: 'done with {{incident.family}} on {{incident.target}}' } },
          ],
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const id = created.body.data.id as string;

        // ~5000 pps for ~8 s: above the threshold through the wait and both conditions.
        flood = spawn('ip', ['netns', 'exec', n.attacker, 'timeout', '-s', 'INT', '20', 'hping3', '--udp', '-p', '7777', '-d', '64', '-i', 'u200', '-c', '40000', '-q', n.victimIp], { stdio: 'ignore' });
        const t0 = Date.now();
        await waitFor('the block in the node\'s nftables table', () => nft().includes(n.attackerIp), 30_000, 50).catch((err: Error) => {
          throw new Error(`${err.message}; the runbook's executions: ${JSON.stringify(call('GET', `/api/v1/runbooks/${id}/executions`).body)}; incidents: ${JSON.stringify(call('GET', '/api/v1/incidents').body)}`);
        });
        t.diagnostic(`rule in nftables ${Date.now() - t0} ms after the flood started`);
        const ex = await waitFor('the run finished', () => {
          const e = call('GET', `/api/v1/runbooks/${id}/executions`).body.data?.[0];
          return e && e.status !== 'running' ? e : undefined;
        }, 30_000, 200);
        assert.equal(ex.status, 'succeeded', JSON.stringify(ex));
        assert.deepEqual(ex.steps.map((s: any) => s.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'skipped', 'succeeded']);
        assert.equal(ex.steps[0].output.params.address, n.attackerIp);
        assert.ok(Date.parse(ex.steps[2].finished_at) - Date.parse(ex.steps[2].started_at) >= 2000, 'the wait held 2 s');
        const observed = ex.steps[3].output.clauses[0].actual as number;
        assert.ok(observed > 1000, `the condition saw the node's pps: ${observed}`);
        assert.equal(ex.steps[3].output.holds, true);
        assert.equal(ex.steps[5].output.holds, false);
        assert.ok(ex.steps[5].output.clauses[0].actual > 1000, 'the same observed pps, below the second threshold');

        // The receiver is another process: its lines can come in just after the run is seen finished.
        const hooks = await waitFor('both webhooks at the receiver', () => (received().length >= 2 ? received() : undefined), 10_000, 50);
        assert.deepEqual(hooks.map((h) => JSON.parse(h.body).phase), ['opened', 'still_high'], 'the branch taken, the other not');
        for (const h of hooks) {
          assert.deepEqual(verifyWebhook(SECRET, h.body, { signature: h.headers['x-breakwater-signature'], timestamp: h.headers['x-breakwater-timestamp'] }, h.at), { ok: true }, 'signed');
        }
        assert.equal(JSON.parse(hooks[0]!.body).target, n.victimIp);
        assert.ok(Number(JSON.parse(hooks[1]!.body).pps) > 1000);

        // The flood ends, the incident resolves, and the undo takes the rule off the node.
        await waitFor('the incident resolved', () => stack.get(`/api/v1/incidents/${ex.incident_id}`).data?.status === 'resolved', 60_000, 250);
        await waitFor('the rule removed from nftables', () => !nft().includes(n.attackerIp), 30_000, 100);
        const after = call('GET', `/api/v1/runbooks/${id}/executions`).body.data[0];
        assert.equal(after.effects.length, 1);
        assert.equal(after.effects[0].kind, 'firewall_rule');
        assert.ok(after.effects[0].undone_at, 'the effect recorded as undone');
        assert.equal(after.effects[0].owner, `runbook:${id}:${after.id}`);
        const rule = call('GET', '/api/v1/mitigation/rules/history?limit=50').body.data.find((r: any) => r.id === after.effects[0].ref);
        assert.ok(rule, 'the rule is in the rule history');
        assert.equal(call('GET', `/api/v1/runbooks/${id}`).body.data.execution_count, 1, 'once per incident and event');
      } finally {
        await stack.stopAll();
      }
    });
  } finally {
    if (savedAllow === undefined) delete process.env.BREAKWATER_OUTBOUND_ALLOW;
    else process.env.BREAKWATER_OUTBOUND_ALLOW = savedAllow;
    for (const c of [flood as ChildProcess | null, hook as ChildProcess | null]) {
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await new Promise((r) => c.once('exit', r));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
