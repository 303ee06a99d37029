// Runbooks over the API on both storage engines: CRUD with bad step configs refused naming the step
// index and key, RBAC (a viewer reads but cannot create, toggle or test-run), workspace isolation,
// webhook secrets masked and sealed; test runs (synthetic dry run, against a node for real); a
// failing step follows its on_failure (continue, stop, undo); incidents reported by an agent fire
// each matching runbook once per incident and event, and the run's rule is withdrawn when the
// incident resolves; a runbook deleted mid-run finishes the run and starts no new one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mitigation as rulesRepo } from '@breakwater/db';
import { verifyWebhook } from '@breakwater/outbound';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { ATTRIBUTION_WAIT_MS } from '../src/services/runbooks/engine.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';
import { startHook, type Hook } from './runbook-hook.ts';

const SECRET = 'runbook-secret-0123456789';

for (const backend of BACKENDS) {
  describe(`runbooks API on ${backend.name}`, () => {
    let t: TestServer;
    let hook: Hook;
    let viewer: string;
    let n = 0;
    const req = t_req;
    function t_req(method: string, path: string, opts: { token?: string | null; body?: unknown } = {}) {
      return t.request(method, path, opts);
    }
    const create = (body: Record<string, unknown>, token?: string) => req('POST', '/api/v1/runbooks', { body: { name: `rb-${++n}`, trigger_conditions: {}, ...body }, token });
    const executions = async (id: string) => (await req('GET', `/api/v1/runbooks/${id}/executions`)).body.data as any[];
    const settle = () => t.server.runbooks.idle();

    before(async () => {
      t = await startTestServer(backend, { outbound: { channels: { webhook: ['loopback'] } } as never });
      hook = await startHook();
      viewer = (await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'viewer', 'viewer', null)).secret;
    });
    after(async () => {
      await t?.stop();
      await hook?.stop();
    });

    test('bad step configs are refused with the step index and key named', async () => {
      const cases: Array<[unknown[], RegExp]> = [
        [[{ action_type: 'log', action_config: { message: 'x' } }, { action_type: 'wait', action_config: { seconds: 0 } }], /^steps\[1\]\.action_config\.seconds: must be an integer/],
        [[{ action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '{{incident.nope}}' } } }], /^steps\[0\]\.action_config\.params\.address: unknown variable/],
        [[{ action_type: 'log', action_config: { message: 'x' } }, { action_type: 'log', action_config: { message: 'x' } }, { action_type: 'webhook', action_config: { url: 'http://169.254.169.254/latest' } }], /^steps\[2\]\.action_config\.url: .*link-local|^steps\[2\]\.action_config\.url: .*metadata/],
        [[{ action_type: 'notify_channel', action_config: { channel_id: 'nope' } }], /^steps\[0\]\.action_config\.channel_id: no notification channel nope/],
        [[{ action_type: 'scrubbing_enable', action_config: { integration_id: 'nope' } }], /^steps\[0\]\.action_config\.integration_id: no scrubbing integration/],
        [[{ action_type: 'condition', action_config: { when: [{ field: 'incident.colour', op: 'eq', value: 1 }] } }], /^steps\[0\]\.action_config\.when\[0\]\.field:/],
        [[{ action_type: 'webhook', action_config: { url: 'https://{{node.name}}.example/x' } }], /^steps\[0\]\.action_config\.url: .*host is written out/],
      ];
      for (const [steps, want] of cases) {
        const r = await create({ steps });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(errorCode(r), 'validation_error');
        assert.match(r.body.error.message, want);
      }
      const typo = await create({ steps: [{ action_type: 'reboot', action_config: {} }] });
      assert.equal(typo.status, 400);
      assert.match(typo.body.error.message, /steps\/0\/action_type|steps\[0\]\.action_type|action_type/);
    });

    test('RBAC, workspace isolation, masked and sealed secrets, toggle and patch', async () => {
      const body = { steps: [{ action_type: 'webhook', action_config: { url: `${hook.url}?t={{incident.target}}`, secret: SECRET } }, { action_type: 'log', action_config: { message: 'done' } }] };
      assert.equal((await create(body, viewer)).status, 403, 'a viewer cannot create');
      const c = await create(body);
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const id = c.body.data.id;
      assert.equal(c.body.data.steps[0].action_config.secret, '****');
      assert.equal(c.body.data.active, true);
      assert.equal(c.body.data.execution_count, 0);
      const stored = await t.server.ctx.db.selectFrom('runbooks').select('steps').where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(stored.steps.startsWith('enc:v1:') && !stored.steps.includes(SECRET), 'steps sealed at rest');

      assert.equal((await req('GET', '/api/v1/runbooks', { token: viewer })).status, 200, 'a viewer reads');
      assert.equal((await req('GET', `/api/v1/runbooks/${id}/executions`, { token: viewer })).status, 200);
      for (const [m, p] of [['POST', `/api/v1/runbooks/${id}/toggle`], ['POST', `/api/v1/runbooks/${id}/test`], ['PATCH', `/api/v1/runbooks/${id}`], ['DELETE', `/api/v1/runbooks/${id}`]] as const) {
        const r = await req(m, p, { token: viewer, body: m === 'PATCH' ? { name: 'x' } : {} });
        assert.equal(r.status, 403, `${m} ${p} by a viewer`);
      }
      const other = await t.addWorkspace();
      assert.equal((await req('GET', `/api/v1/runbooks/${id}`, { token: other.apiToken })).status, 404);
      assert.equal((await req('POST', `/api/v1/runbooks/${id}/toggle`, { token: other.apiToken })).status, 404);
      assert.equal(((await req('GET', '/api/v1/runbooks', { token: other.apiToken })).body.data as unknown[]).length, 0);

      const off = await req('POST', `/api/v1/runbooks/${id}/toggle`);
      assert.equal(off.body.data.active, false);
      // The masked secret sent back keeps the stored one.
      const p = await req('PATCH', `/api/v1/runbooks/${id}`, { body: { steps: off.body.data.steps, description: 'edited' } });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.equal(p.body.data.description, 'edited');
      const run = await req('POST', `/api/v1/runbooks/${id}/test`, { body: { dry_run: false } });
      assert.equal(run.status, 202, JSON.stringify(run.body));
      await settle();
      const sent = hook.got.at(-1)!;
      assert.ok(sent.headers['x-breakwater-signature'], 'signed');
      assert.deepEqual(verifyWebhook(SECRET, sent.body, { signature: String(sent.headers['x-breakwater-signature']), timestamp: String(sent.headers['x-breakwater-timestamp']) }, t.clock.now()), { ok: true });
      const audit = await t.server.ctx.db.selectFrom('audit_log').select('action').where('target', '=', id).execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['runbook.create', 'runbook.test', 'runbook.toggle', 'runbook.update']);
    });

    test('a test run without a node uses a synthetic context and dry-runs side effects', async () => {
      const c = await create({ steps: [
        { action_type: 'log', action_config: { message: 'target {{incident.target}} at {{incident.peak_pps}} pps' } },
        { action_type: 'webhook', action_config: { url: hook.url } },
        { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '{{incident.top_source}}' } } },
        { action_type: 'condition', action_config: { when: [{ field: 'incident.family', op: 'eq', value: 'udp_flood' }] } },
      ] });
      const before = hook.got.length;
      const run = await req('POST', `/api/v1/runbooks/${c.body.data.id}/test`);
      assert.equal(run.status, 202);
      assert.equal(run.body.data.dry_run, true);
      await settle();
      const [ex] = await executions(c.body.data.id);
      assert.equal(ex.status, 'succeeded', JSON.stringify(ex));
      assert.deepEqual(ex.steps.map((s: any) => s.status), ['succeeded', 'dry_run', 'dry_run', 'succeeded']);
      assert.equal(ex.steps[0].output.message, 'target 192.0.2.10 at 250000 pps');
      assert.deepEqual(ex.steps[2].output.params, { address: '198.51.100.7' });
      assert.equal(hook.got.length, before, 'a dry run calls nothing');
      for (const s of ex.steps) assert.ok(s.started_at && s.finished_at && s.duration_ms >= 0, 'timing per step');
      const list = (await req('GET', '/api/v1/runbooks')).body.data.find((r: any) => r.id === c.body.data.id);
      assert.equal(list.execution_count, 1);
      assert.equal(list.success_count, 1);
    });

    test('a failing step follows its on_failure: continue, stop, undo', async () => {
      const node = await t.deploy(t.admin, `rb-node-${backend.name}`, '203.0.113.50');
      const failing = (on_failure: string) => ({ action_type: 'webhook', action_config: { url: hook.url, retries: 1, timeout_ms: 2000 }, on_failure });
      const block = { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '198.51.100.9' }, ttl: 300 } };
      const tail = { action_type: 'log', action_config: { message: 'after' } };
      const outcome = async (steps: unknown[]) => {
        const c = await create({ steps });
        hook.fail.push(500, 503);
        const run = await req('POST', `/api/v1/runbooks/${c.body.data.id}/test`, { body: { node: node.uuid, dry_run: false } });
        assert.equal(run.status, 202, JSON.stringify(run.body));
        await settle();
        return (await executions(c.body.data.id))[0];
      };
      const cont = await outcome([failing('continue'), tail]);
      assert.deepEqual(cont.steps.map((s: any) => s.status), ['failed', 'succeeded']);
      assert.equal(cont.steps[0].attempts, 2, 'retried once');
      assert.equal(cont.status, 'failed');

      const stop = await outcome([block, failing('stop'), tail]);
      assert.deepEqual(stop.steps.map((s: any) => s.status), ['succeeded', 'failed', 'skipped']);
      assert.equal(stop.status, 'failed');
      const kept = await rulesRepo.getRuleById(t.server.ctx.db, stop.effects[0].ref);
      assert.equal(kept?.status, 'active', 'stop leaves the rule');
      assert.equal(kept?.owner, `runbook:${stop.runbook_id}:${stop.id}`);

      const undo = await outcome([block, failing('undo'), tail]);
      assert.equal(undo.status, 'undone');
      assert.deepEqual(undo.steps.map((s: any) => s.status), ['succeeded', 'failed', 'skipped']);
      assert.ok(undo.effects[0].undone_at, 'the effect is undone');
      const gone = await rulesRepo.getRuleById(t.server.ctx.db, undo.effects[0].ref);
      assert.equal(gone?.status, 'withdrawn');
      assert.equal(gone?.withdrawn_by, `runbook:${undo.runbook_id}:${undo.id}`);
    });

    test('an allowlisted address never gets a blocking rule from a runbook', async () => {
      const node = await t.deploy(t.admin, `rb-allow-${backend.name}`, '203.0.113.51');
      assert.equal((await req('POST', '/api/v1/allowlist', { body: { ip_address: '198.51.100.77', label: 'office' } })).status, 201);
      const c = await create({ steps: [{ action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '198.51.100.77' } } }] });
      await req('POST', `/api/v1/runbooks/${c.body.data.id}/test`, { body: { node: node.uuid, dry_run: false } });
      await settle();
      const [ex] = await executions(c.body.data.id);
      assert.equal(ex.steps[0].status, 'failed');
      assert.match(ex.steps[0].error, /allowlist/);
      assert.equal(ex.steps[0].output.rule_status, 'refused');
    });

    test('an incident resolved mid-run stops the run and undoes what it did', async () => {
      const node = await t.deploy(t.admin, `rb-mid-${backend.name}`, '203.0.113.80');
      const rb = await create({ trigger_conditions: { nodes: [node.uuid] }, steps: [
        { action_type: 'iptables', action_config: { rule: 'block_source', params: { address: '198.51.100.80' } } },
        { action_type: 'wait', action_config: { seconds: 600 } },
        { action_type: 'log', action_config: { message: 'never' } },
      ] });
      const inc = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 10_000, started_at: new Date(t.clock.now()).toISOString() });
      await settle();
      assert.equal((await executions(rb.body.data.id))[0].steps[1].status, 'waiting');
      await t.agent(node, 'POST', `/incidents/${inc.body.uuid}/resolve`, { duration_seconds: 5 });
      await settle();
      const [ex] = await executions(rb.body.data.id);
      assert.equal(ex.status, 'stopped', JSON.stringify(ex));
      assert.deepEqual(ex.steps.map((s: any) => s.status), ['succeeded', 'skipped', 'skipped']);
      assert.ok(ex.effects[0].undone_at);
      assert.equal((await rulesRepo.getRuleById(t.server.ctx.db, ex.effects[0].ref))?.status, 'withdrawn');
    });

    test('two concurrent incidents run the same runbook in two executions that share nothing; escalation fires its own', async () => {
      const one = await t.deploy(t.admin, `rb-c1-${backend.name}`, '203.0.113.71');
      const two = await t.deploy(t.admin, `rb-c2-${backend.name}`, '203.0.113.72');
      const rb = await create({ trigger_conditions: { nodes: [one.uuid, two.uuid], events: ['opened', 'escalated'] }, steps: [
        { action_type: 'wait', action_config: { seconds: 10 } },
        { action_type: 'log', action_config: { message: '{{incident.event}} {{node.name}} {{incident.target}} {{incident.family}}' } },
      ] });
      const open = (node: { uuid: string; key: string }, family: string) => t.agent(node, 'POST', '/incidents', { attack_family: family, peak_pps: 10_000, severity: 'low', started_at: new Date(t.clock.now()).toISOString() });
      const [a, b] = await Promise.all([open(one, 'udp_flood'), open(two, 'syn_flood')]);
      assert.equal(a.status, 200);
      await t.agent(two, 'POST', `/incidents/${b.body.uuid}`, { peak_pps: 5_000_000, peak_bps: 4e10, severity: 'critical' });
      await settle();
      t.clock.advance(11_000);
      await settle();
      const runs = await executions(rb.body.data.id);
      const messages = runs.map((r: any) => `${r.incident_id === a.body.uuid ? 'A' : 'B'}: ${r.steps[1].output.message}`).sort();
      assert.equal(new Set(runs.map((r: any) => r.id)).size, runs.length);
      assert.ok(messages.includes(`A: opened rb-c1-${backend.name} 203.0.113.71 udp_flood`), messages.join('\n'));
      assert.ok(messages.includes(`B: opened rb-c2-${backend.name} 203.0.113.72 syn_flood`), messages.join('\n'));
      const escalated = runs.filter((r: any) => r.event === 'escalated');
      assert.deepEqual(escalated.map((r: any) => r.incident_id), [b.body.uuid], 'escalation runs it once more, for the escalated incident only');
      assert.ok(messages.includes(`B: escalated rb-c2-${backend.name} 203.0.113.72 syn_flood`), messages.join('\n'));
      assert.equal(runs.length, 3);
      for (const r of runs) assert.equal(r.status, 'succeeded');
    });

    test('a fast-opened incident (family unknown, no sources yet) runs its opened runbook once it is named, with its top source; one left unnamed runs at an update past the wait', async () => {
      const node = await t.deploy(t.admin, `rb-fast-${backend.name}`, '203.0.113.90');
      const rb = await create({ trigger_conditions: { nodes: [node.uuid] }, steps: [{ action_type: 'log', action_config: { message: '{{incident.family}} from {{incident.top_source}}' } }] });
      const open = () => t.agent(node, 'POST', '/incidents', { attack_family: 'unknown', peak_pps: 10_000, started_at: new Date(t.clock.now()).toISOString() });
      const inc = await open();
      assert.equal(inc.status, 200, JSON.stringify(inc.body));
      await settle();
      assert.equal((await executions(rb.body.data.id)).length, 0, 'not run while the incident has no name and no source');
      await t.agent(node, 'POST', `/incidents/${inc.body.uuid}`, { attack_family: 'udp_flood', top_src_ips: [{ ip: '198.51.100.9', count: 900 }] });
      await settle();
      await t.agent(node, 'POST', `/incidents/${inc.body.uuid}`, { peak_pps: 20_000 });
      await settle();
      const runs = await executions(rb.body.data.id);
      assert.equal(runs.length, 1, 'once, at the update that named it');
      assert.equal(runs[0].steps[0].output.message, 'udp_flood from 198.51.100.9');
      await t.agent(node, 'POST', `/incidents/${inc.body.uuid}/resolve`, { duration_seconds: 5 });
      // Never named: not at once, nor at an update within the wait; at the first update past it.
      const unnamed = await open();
      await settle();
      await t.agent(node, 'POST', `/incidents/${unnamed.body.uuid}`, { peak_pps: 11_000 });
      await settle();
      assert.equal((await executions(rb.body.data.id)).length, 1);
      t.clock.advance(ATTRIBUTION_WAIT_MS);
      await t.agent(node, 'POST', `/incidents/${unnamed.body.uuid}`, { peak_pps: 12_000 });
      await settle();
      const after = await executions(rb.body.data.id);
      assert.equal(after.length, 2);
      assert.equal(after.find((r: any) => r.incident_id === unnamed.body.uuid)?.steps[0].output.message, 'unknown from ');
    });

    test('incidents fire each matching runbook once per incident and event; resolve undoes the rule; deleted mid-run finishes', async () => {
      const node = await t.deploy(t.admin, `rb-inc-${backend.name}`, '203.0.113.60');
      const a = await create({ trigger_conditions: { attack_families: ['udp_flood'], min_pps: 100_000, nodes: [node.uuid] }, steps: [
        { action_type: 'iptables', action_config: { rule: 'drop_port', params: { protocol: 'udp', port: '{{incident.top_port}}' }, ttl: 600 } },
        { action_type: 'wait', action_config: { seconds: 30 } },
        { action_type: 'log', action_config: { message: 'held {{incident.family}}' } },
      ] });
      const b = await create({ trigger_conditions: { nodes: [node.uuid], events: ['opened', 'resolved'] }, steps: [{ action_type: 'log', action_config: { message: '{{incident.event}}' } }] });
      const skipped = await create({ trigger_conditions: { attack_families: ['syn_flood'], nodes: [node.uuid] }, steps: [{ action_type: 'log', action_config: { message: 'no' } }] });
      const opened = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 50_000, peak_bps: 1e8, started_at: new Date(t.clock.now()).toISOString(), top_dst_ports: [{ port: 53, count: 10 }] });
      assert.equal(opened.status, 200, JSON.stringify(opened.body));
      await settle();
      assert.equal((await executions(a.body.data.id)).length, 0, 'below min_pps: not yet');
      assert.equal((await executions(b.body.data.id)).length, 1);
      for (const pps of [150_000, 200_000, 250_000]) await t.agent(node, 'POST', `/incidents/${opened.body.uuid}`, { peak_pps: pps });
      await settle();
      const [run, ...more] = await executions(a.body.data.id);
      assert.equal(more.length, 0, 'once per incident and event');
      assert.equal(run.event, 'opened');
      assert.equal(run.incident_id, opened.body.uuid);
      assert.equal(run.node_id, node.uuid);
      assert.equal(run.steps[1].status, 'waiting', 'the wait holds');
      assert.deepEqual(run.steps[0].output.params, { protocol: 'udp', port: 53 });
      assert.equal((await executions(skipped.body.data.id)).length, 0, 'another family does not fire');

      // Deleted mid-run: the run finishes; a new incident starts nothing for it.
      assert.equal((await req('DELETE', `/api/v1/runbooks/${a.body.data.id}`)).status, 200);
      t.clock.advance(31_000);
      await settle();
      const done = (await executions(a.body.data.id))[0];
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.steps[2].output.message, 'held udp_flood');
      const rule = await rulesRepo.getRuleById(t.server.ctx.db, done.effects[0].ref);
      assert.equal(rule?.status, 'active');

      const resolved = await t.agent(node, 'POST', `/incidents/${opened.body.uuid}/resolve`, { duration_seconds: 60 });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      await settle();
      await waitFor('the rule withdrawn on resolve', async () => (await rulesRepo.getRuleById(t.server.ctx.db, done.effects[0].ref))?.status === 'withdrawn');
      const after = (await executions(a.body.data.id))[0];
      assert.ok(after.effects[0].undone_at, 'recorded as undone');
      const bRuns = await executions(b.body.data.id);
      assert.deepEqual(bRuns.map((r: any) => r.event).sort(), ['opened', 'resolved']);

      const again = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 900_000, peak_bps: 1e9, started_at: new Date(t.clock.now()).toISOString() });
      assert.equal(again.status, 200);
      await settle();
      assert.equal((await executions(a.body.data.id)).length, 1, 'a deleted runbook starts no new run');
    });
  });
}
