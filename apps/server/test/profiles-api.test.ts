// Firewall profiles API on SQLite and PostgreSQL: the catalogue, previews, apply (to nodes or
// ["all"], custom rules checked by suite), rollback, status from the agents' acknowledgements,
// RBAC, workspace isolation and the audit log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

for (const backend of BACKENDS) {
  describe(`firewall profiles API on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());
    const token = async (role: 'viewer' | 'operator') => (await createToken(t.server.ctx.db, t.server.ctx.clock, t.admin.workspaceId, 'api', `api-${role}-${Math.random()}`, role, null)).secret;

    test('a viewer lists the eleven profiles with their rules in all four suites, each rule with a title and a reason', async () => {
      const r = await t.request('GET', '/api/v1/profiles', { token: await token('viewer') });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.data.map((p: { id: string }) => p.id), ['game_server', 'hosting_provider', 'isp', 'saas', 'ecommerce', 'fintech', 'small_operator', 'msp', 'edge_node', 'router', 'game_studio']);
      for (const p of r.body.data) {
        assert.deepEqual(Object.keys(p.rules).sort(), ['firewalld', 'iptables', 'nftables', 'ufw']);
        for (const rules of Object.values<{ title: string; reason: string; cmd: string }[]>(p.rules)) assert.ok(rules.length > 0 && rules.every((x) => x.title && x.reason && x.cmd));
      }
      assert.equal((await t.request('GET', '/api/v1/profiles', { token: null })).status, 401);
    });

    test('preview: exactly the text a node runs, with the node\'s allowlist first; bad suite 400 naming it, unknown profile 404', async () => {
      const n = await t.deploy(t.admin, 'pv-node', '203.0.113.40');
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '192.0.2.55', label: 'office' } })).status, 201);
      const r = await t.request('GET', `/api/v1/profiles/fintech/preview?suite=nftables&node=${n.uuid}`, { token: await token('viewer') });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const script: string = r.body.data.script;
      assert.match(script, /^# nft -f -\ntable inet bw_profile \{\}\ndelete table inet bw_profile\n/);
      assert.ok(script.indexOf('192.0.2.55') < script.indexOf('tcp dport { 22 , 443 } accept'), 'the allowlist comes before the rules');
      assert.deepEqual(r.body.data.rules.at(-1).argv, ['counter', 'drop']);
      const ipt = await t.request('GET', '/api/v1/profiles/game_server/preview?suite=iptables');
      assert.match(ipt.body.data.script, /# iptables-restore --noflush\n\*filter\n:BW-PROFILE - \[0:0\]\n/);
      const ufw = await t.request('GET', '/api/v1/profiles/saas/preview?suite=ufw');
      assert.match(ufw.body.data.script, /^ufw allow from 192\.0\.2\.55\/32\nufw default deny incoming\n/);
      const bad = await t.request('GET', '/api/v1/profiles/saas/preview?suite=pf');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.message, 'suite: must be one of iptables, nftables, ufw, firewalld');
      const unknown = await t.request('GET', '/api/v1/profiles/bank/preview?suite=ufw');
      assert.equal(unknown.status, 404);
      assert.equal(errorCode(unknown), 'not_found');
    });

    test('apply: RBAC first, then every bad field named (profile_id, suite, node_ids, rules[i].cmd / .title)', async () => {
      const n = await t.deploy(t.admin, 'bad-node', '203.0.113.41');
      const good = { profile_id: 'saas', suite: 'nftables', node_ids: [n.uuid] };
      const viewer = await t.request('POST', '/api/v1/profiles/apply', { token: await token('viewer'), body: { nonsense: true } });
      assert.equal(viewer.status, 403, 'auth and role before body validation');
      const cases: [unknown, number, RegExp][] = [
        [{ ...good, profile_id: 'bank' }, 400, /^profile_id: must be one of game_server, hosting_provider, /],
        [{ ...good, suite: 'pf' }, 400, /^suite: must be one of iptables, nftables, ufw, firewalld$/],
        [{ ...good, node_ids: [] }, 400, /node_ids/],
        [{ ...good, node_ids: ['all', n.uuid] }, 400, /^node_ids: "all" must be alone$/],
        [{ ...good, node_ids: ['00000000-0000-4000-8000-000000000000'] }, 404, /^Node not found$/],
        [{ ...good, rules: [{ cmd: 'tcp dport 8080 accept', title: 'alt http' }, { cmd: 'tcp dport 22 accept; flush ruleset', title: 'x' }] }, 400, /^rules\[1\]\.cmd: not a nftables rule Breakwater accepts: character ";" is not allowed/],
        [{ ...good, suite: 'iptables', rules: [{ cmd: 'iptables -t nat -A POSTROUTING -j MASQUERADE', title: 'nat' }] }, 400, /^rules\[0\]\.cmd: .*option "-t" is not allowed/],
        [{ ...good, rules: [{ cmd: 'tcp dport 8080 accept' }] }, 400, /^rules\[0\]\.title: must be a non-empty string/],
      ];
      for (const [body, status, message] of cases) {
        const r = await t.request('POST', '/api/v1/profiles/apply', { body });
        assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
        assert.equal(r.body.ok, false);
        assert.match(r.body.error.message, message, JSON.stringify(body));
      }
      const cmds = (await t.request('GET', `/api/agents/${n.uuid}/commands`)).body as unknown[];
      assert.deepEqual(cmds, [], 'nothing was queued');
    });

    test('apply to ["all"] queues a signed profile_apply per node; status follows the acks; rollback; isolation; audit', async () => {
      const other = await t.addWorkspace();
      const foreign = await t.deploy(other, 'foreign', '203.0.113.60');
      const operator = await token('operator');
      const r = await t.request('POST', '/api/v1/profiles/apply', { token: operator, body: { profile_id: 'game_server', suite: 'iptables', node_ids: ['all'], rules: [{ cmd: 'iptables -A INPUT -p udp --dport 2302 -j ACCEPT', title: 'Arma' }] } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const nodes = r.body.data as { node_id: string; command_id: string; state: string }[];
      assert.ok(nodes.length >= 2 && !nodes.some((x) => x.node_id === foreign.uuid), 'every node of this workspace, none of another');
      const target = nodes[0]!;
      const queued = ((await t.request('GET', `/api/agents/${target.node_id}/commands`)).body as { command_id: string; type: string; params: { rules: { cmd: string }[]; suite: string } }[]).find((c) => c.type === 'profile_apply')!;
      assert.equal(queued.params.suite, 'iptables');
      assert.equal(queued.params.rules.at(-1)!.cmd, 'iptables -A INPUT -p udp --dport 2302 -j ACCEPT', 'custom rules after the profile\'s');
      const status = async () => ((await t.request('GET', `/api/v1/profiles/status?node=${target.node_id}`, { token: await token('viewer') })).body.data as { state: string; profile_id: string; rule_count: number }[])[0]!;
      assert.equal((await status()).state, 'pending');
      assert.equal((await status()).profile_id, 'game_server');

      const statusAll = await t.request('GET', '/api/v1/profiles/status');
      assert.equal(statusAll.body.data.length, nodes.length);
      const viewerRollback = await t.request('POST', '/api/v1/profiles/rollback', { token: await token('viewer'), body: { node_ids: [target.node_id] } });
      assert.equal(viewerRollback.status, 403);
      const rb = await t.request('POST', '/api/v1/profiles/rollback', { token: operator, body: { node_ids: [target.node_id] } });
      assert.equal(rb.status, 200, JSON.stringify(rb.body));
      assert.equal((await status()).state, 'rolling_back');
      const again = await t.request('POST', '/api/v1/profiles/rollback', { body: { node_ids: [target.node_id] } });
      assert.equal(again.status, 409);
      assert.match(again.body.error.message, /has no applied profile to roll back/);
      const isolated = await t.request('GET', `/api/v1/profiles/status?node=${foreign.uuid}`);
      assert.equal(isolated.status, 404, 'another workspace\'s node is not found');
      const audit = await t.server.ctx.db.selectFrom('audit_log').select(['action']).where('workspace_id', '=', t.admin.workspaceId).execute();
      assert.ok(audit.some((a) => a.action === 'profile.apply') && audit.some((a) => a.action === 'profile.rollback'));
    });

    test('status follows the agent: applied when acknowledged, failed with the agent\'s reason, rolled back', async () => {
      const n = await t.deploy(t.admin, 'ack-node', '203.0.113.42');
      const r = await t.request('POST', '/api/v1/profiles/apply', { body: { profile_id: 'router', suite: 'nftables', node_ids: [n.uuid] } });
      const id = Number(r.body.data[0].command_id);
      const st = async () => ((await t.request('GET', `/api/v1/profiles/status?node=${n.uuid}`)).body.data as { state: string; error: string | null }[])[0]!;
      assert.equal((await t.agent(n, 'POST', '/commands/ack', { command_id: id, status: 'applied', error: null })).status, 200);
      assert.equal((await st()).state, 'applied');
      const rb = await t.request('POST', '/api/v1/profiles/rollback', { body: { node_ids: [n.uuid] } });
      await t.agent(n, 'POST', '/commands/ack', { command_id: Number(rb.body.data[0].command_id), status: 'applied', error: null });
      assert.equal((await st()).state, 'rolled_back');
      const r2 = await t.request('POST', '/api/v1/profiles/apply', { body: { profile_id: 'router', suite: 'ufw', node_ids: [n.uuid] } });
      await t.agent(n, 'POST', '/commands/ack', { command_id: Number(r2.body.data[0].command_id), status: 'rejected', error: 'suite: this node applies nftables profiles, not ufw' });
      assert.deepEqual(await st(), { ...(await st()), state: 'failed', error: 'suite: this node applies nftables profiles, not ufw' });
    });
  });
}
