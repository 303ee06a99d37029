// Fleet commands (POST/GET /api/agents/{id}/commands): who may send which type (the registry's
// risk tiers), params refused naming the key, every command signed by the workspace's Ed25519
// key (pinned by agents at enrolment, private half sealed at rest), results stored with exit
// code and output, and everything audited.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { COMMAND_REGISTRY, COMMAND_TYPES, ROLE_COMMAND_RISKS, type SignedCommandBody } from '@breakwater/contracts';
import { BACKENDS } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

for (const backend of BACKENDS) {
  describe(`fleet commands on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    const token = async (role: 'viewer' | 'operator' | 'admin') => (await createToken(t.server.ctx.db, t.server.ctx.clock, t.admin.workspaceId, 'api', `api-${role}`, role, null)).secret;
    const send = (node: { uuid: string }, body: unknown, tok?: string) => t.request('POST', `/api/agents/${node.uuid}/commands`, { body, ...(tok ? { token: tok } : {}) });
    const history = async (node: { uuid: string }) => (await t.request('GET', `/api/agents/${node.uuid}/commands`)).body as Record<string, any>[];
    const audits = async (target: string) => t.server.ctx.db.selectFrom('audit_log').select(['action', 'actor', 'detail']).where('target', '=', target).orderBy('id').execute();
    const sample: Record<string, Record<string, unknown>> = {
      block_source: { address: '198.51.100.7' }, block_prefix: { prefix: '198.51.100.0/24' }, drop_port: { protocol: 'udp', port: 123 },
      drop_protocol: { protocol: 'gre' }, rate_limit: { protocol: 'udp', port: 53, pps: 1000 }, syn_protection: { pps: 500 }, revoke: { command_id: 1 },
      exec: { argv: ['df', '-h'] }, shell: { command: 'df -h', timeout: 30 }, service_status: { unit: 'nginx' }, service_restart: { unit: 'nginx.service' },
      journal_tail: { unit: 'sshd', lines: 20 }, capture_start: { duration: 10 }, capture_stop: {}, agent_restart: {}, agent_upgrade: { version: '1.2.3' }, config_reload: {},
      profile_apply: { profile_id: 'saas', suite: 'nftables', rules: [{ cmd: 'tcp dport 443 accept', title: 'https' }], allowlist: [] }, profile_rollback: {},
    };

    test('the registry: every type has params, a risk tier and a timeout of at most 60 s; roles see low+medium (operator) or all (admin)', () => {
      assert.deepEqual(Object.keys(COMMAND_REGISTRY).sort(), [...COMMAND_TYPES].sort());
      for (const [type, spec] of Object.entries(COMMAND_REGISTRY)) {
        assert.ok(spec.timeout >= 1 && spec.timeout <= 60, type);
        assert.ok(['low', 'medium', 'high'].includes(spec.risk), type);
        assert.ok(type in sample, `a sample for ${type}`);
      }
      for (const type of ['shell', 'exec', 'agent_upgrade']) assert.equal(COMMAND_REGISTRY[type as 'shell'].risk, 'high');
      assert.deepEqual(ROLE_COMMAND_RISKS.viewer, []);
    });

    test('the dashboard reads the registry: params as JSON Schema, risk, timeout, and what the caller may send', async () => {
      const types = async (tok?: string) => (await t.request('GET', '/api/agents/command-types', tok ? { token: tok } : {})).body as Record<string, any>[];
      const admin = await types();
      assert.deepEqual(admin.map((x) => x.type), [...COMMAND_TYPES]);
      const shell = admin.find((x) => x.type === 'shell')!;
      assert.deepEqual([shell.risk, shell.timeout, shell.allowed], ['high', 60, true]);
      assert.deepEqual(shell.params.required, ['command']);
      assert.equal(shell.params.properties.timeout.maximum, 60);
      const operator = await types(await token('operator'));
      assert.deepEqual(operator.filter((x) => !x.allowed).map((x) => x.type).sort(), ['agent_upgrade', 'exec', 'shell']);
      assert.ok((await types(await token('viewer'))).every((x) => x.allowed === false));
    });

    test('a viewer may send no command at all: 403 before the body is even validated, audited as refused', async () => {
      const n = await t.deploy(t.admin);
      const viewer = await token('viewer');
      for (const type of [...COMMAND_TYPES, 'nonsense']) {
        const r = await send(n, { type, params: sample[type] ?? { junk: 1 } }, viewer);
        assert.equal(r.status, 403, `${type}: ${JSON.stringify(r.body)}`);
        assert.equal(errorCode(r), 'forbidden');
        assert.match(r.body.error.message, /viewer role may send no commands/);
      }
      assert.deepEqual(await history(n), []);
      const refused = (await audits(n.uuid)).filter((a) => a.action === 'agent.command');
      assert.equal(refused.length, COMMAND_TYPES.length + 1);
      assert.ok(refused.every((a) => JSON.parse(a.detail).result === 'refused' && a.actor === 'token:api-viewer'));
    });

    test('an operator sends low and medium risk types; every high-risk one is refused with 403 naming it, nothing stored', async () => {
      const n = await t.deploy(t.admin);
      await t.agent(n, 'POST', '/heartbeat', { version: '1', allow_raw_commands: true });
      const operator = await token('operator');
      for (const type of COMMAND_TYPES) {
        const r = await send(n, { type, params: sample[type] }, operator);
        if (COMMAND_REGISTRY[type].risk === 'high') {
          assert.equal(r.status, 403, `${type}: ${JSON.stringify(r.body)}`);
          assert.match(r.body.error.message, new RegExp(`^type: ${type} .*needs the admin role; the operator role may send low and medium risk commands$`));
        } else {
          assert.equal(r.status, 200, `${type}: ${JSON.stringify(r.body)}`);
          assert.match(r.body.command_id, /^cmd_\d+$/);
          assert.equal(r.body.status, 'queued');
        }
      }
      const types = (await history(n)).map((c) => c.type).sort();
      assert.deepEqual(types, COMMAND_TYPES.filter((x) => COMMAND_REGISTRY[x].risk !== 'high').sort());
      const highRefusals = (await audits(n.uuid)).map((a) => JSON.parse(a.detail)).filter((d) => d.result === 'refused');
      assert.deepEqual(highRefusals.map((d) => d.type).sort(), ['agent_upgrade', 'exec', 'shell']);
    });

    test('bad params are refused naming the key; shell needs the agent’s own opt-in (409), which the server cannot give', async () => {
      const n = await t.deploy(t.admin);
      for (const [body, key] of [
        [{ type: 'shell', params: { command: 'uptime', timeout: 61 } }, /^params\.timeout: /],
        [{ type: 'service_restart', params: { unit: '--now' } }, /^params\.unit: /],
        [{ type: 'journal_tail', params: { unit: 'nginx', lines: 5000 } }, /^params\.lines: /],
        [{ type: 'agent_upgrade', params: { version: '1.2.3; rm -rf /' } }, /^params\.version: /],
        [{ type: 'capture_start', params: { host: 'example.com' } }, /^params\.host: /],
        [{ type: 'service_status', params: { unit: 'nginx', extra: 1 } }, /^params\.extra: /],
      ] as const) {
        const r = await send(n, body);
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.error.message, key);
      }
      const shell = await send(n, { type: 'shell', params: { command: 'df -h' } });
      assert.equal(shell.status, 409);
      assert.equal(errorCode(shell), 'raw_commands_disabled');
      assert.match(shell.body.error.message, /^type: shell refused: .*allow_raw_commands/);
      await t.agent(n, 'POST', '/heartbeat', { version: '1', allow_raw_commands: true });
      assert.equal((await send(n, { type: 'shell', params: { command: 'df -h' } })).status, 200);
    });

    test('every command is signed: the agent verifies it with the key pinned at enrolment; the private half is sealed at rest', async () => {
      const dep = await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: 'signed-node', ip: '203.0.113.50' } });
      assert.equal(dep.status, 200);
      const n = { uuid: dep.body.node_uuid as string, key: dep.body.api_key as string };
      const pinned = createPublicKey({ key: Buffer.from(dep.headers.get('x-breakwater-command-key')!, 'base64'), format: 'der', type: 'spki' });
      assert.equal(pinned.asymmetricKeyType, 'ed25519');
      const q = await send(n, { type: 'journal_tail', params: { unit: 'nginx' } });
      const before = t.clock.now();
      const cfg = (await t.agent(n, 'GET', '/config')).body;
      assert.equal(cfg.command_public_key, dep.headers.get('x-breakwater-command-key'), 'the same key in the config (pinned on first use by older agents)');
      const c = cfg.pending_commands.find((p: any) => `cmd_${p.id}` === q.body.command_id);
      assert.ok(verify(null, Buffer.from(c.signed.body), pinned, Buffer.from(c.signed.signature, 'base64')), 'signature verifies');
      const body = JSON.parse(c.signed.body) as SignedCommandBody;
      assert.equal(body.command_id, c.id);
      assert.equal(body.node_uuid, n.uuid);
      assert.equal(body.type, 'journal_tail');
      assert.deepEqual(body.params, { unit: 'nginx', lines: 100 }, 'with the defaults the server filled in');
      assert.match(body.nonce, /^[0-9a-f]{32}$/);
      assert.ok(body.expires_at > before && body.expires_at <= before + 3_600_000 + 1000);
      const tampered = c.signed.body.replace('nginx', 'sshd');
      assert.equal(verify(null, Buffer.from(tampered), pinned, Buffer.from(c.signed.signature, 'base64')), false);
      // two commands never share a nonce
      const q2 = await send(n, { type: 'journal_tail', params: { unit: 'nginx' } });
      const again = (await t.agent(n, 'GET', '/config')).body.pending_commands.find((p: any) => `cmd_${p.id}` === q2.body.command_id);
      assert.notEqual(JSON.parse(again.signed.body).nonce, body.nonce);
      const row = await t.server.ctx.db.selectFrom('command_keys').selectAll().where('workspace_id', '=', t.admin.workspaceId).executeTakeFirstOrThrow();
      assert.match(row.private_key, /^enc:v1:/);
      assert.doesNotMatch(row.private_key, /PRIVATE KEY/);
      assert.equal(row.public_key, dep.headers.get('x-breakwater-command-key'));
      // another workspace signs with its own key
      const other = await t.addWorkspace();
      const od = await t.request('POST', '/api/deploy', { token: other.deployToken, body: { name: 'other', ip: '203.0.113.51' } });
      assert.notEqual(od.headers.get('x-breakwater-command-key'), dep.headers.get('x-breakwater-command-key'));
      // and cannot see or command this workspace's agent
      assert.equal((await t.request('GET', `/api/agents/${n.uuid}/commands`, { token: other.apiToken })).status, 404);
      assert.equal((await send(n, { type: 'config_reload', params: {} }, other.apiToken)).status, 404);
    });

    test('the agent’s result is stored (status, exit code, capped output) and shown in the history; its refusals too, and audited', async () => {
      const n = await t.deploy(t.admin);
      await t.agent(n, 'POST', '/heartbeat', { version: '1', allow_raw_commands: true });
      const q = (await send(n, { type: 'shell', params: { command: 'echo hi; exit 3' } })).body.command_id as string;
      const ack = await t.agent(n, 'POST', '/commands/ack', { command_id: q, status: 'failed', error: 'exit code 3', exit_code: 3, output: 'hi\n' });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      const h = (await history(n)).find((c) => c.command_id === q)!;
      assert.equal(h.status, 'failed');
      assert.equal(h.exit_code, 3);
      assert.equal(h.output, 'hi\n');
      assert.equal(h.risk, 'high');
      assert.match(h.created_by, /^token:/);
      // too much output is refused naming the key (the agent caps it at 64 KiB)
      const big = await t.agent(n, 'POST', '/commands/ack', { command_id: q, status: 'applied', output: 'x'.repeat(70_000) });
      assert.equal(big.status, 400);
      assert.match(big.body.error.message, /^output: /);
      // A refusal of a command already done (a replay the agent caught) is audited, never overwrites the outcome.
      const late = await t.agent(n, 'POST', '/commands/ack', { command_id: q, status: 'rejected', error: 'replayed: nonce was used before' });
      assert.equal(late.status, 200);
      assert.equal((await history(n)).find((c) => c.command_id === q)!.status, 'failed');
      const actions = (await audits(n.uuid)).filter((a) => a.action.startsWith('agent.command')).map((a) => [a.action, JSON.parse(a.detail).result ?? JSON.parse(a.detail).status]);
      assert.deepEqual(actions, [['agent.command', 'queued'], ['agent.command.result', 'failed'], ['agent.command.refused', 'rejected']]);
      // A refusal of a pending command is its outcome.
      const p = (await send(n, { type: 'config_reload', params: {} })).body.command_id as string;
      await t.agent(n, 'POST', '/commands/ack', { command_id: p, status: 'rejected', error: 'expired: command expired at …' });
      const r = (await history(n)).find((c) => c.command_id === p)!;
      assert.deepEqual([r.status, r.error], ['rejected', 'expired: command expired at …']);
    });

    test('a command its agent never fetched shows as expired once its delivery window (1 h) has passed, and is no longer offered', async () => {
      const n = await t.deploy(t.admin);
      const q = (await send(n, { type: 'config_reload', params: {} })).body.command_id as string;
      assert.equal((await history(n)).find((c) => c.command_id === q)!.status, 'pending');
      t.clock.advance(3_600_001);
      try {
        assert.equal((await history(n)).find((c) => c.command_id === q)!.status, 'expired');
        assert.deepEqual((await t.agent(n, 'GET', '/config')).body.pending_commands, []);
      } finally {
        t.clock.advance(-3_600_001);
      }
    });

    test('the history holds the last 100 commands, newest first', async () => {
      const n = await t.deploy(t.admin);
      for (let i = 0; i < 103; i++) await send(n, { type: 'service_status', params: { unit: `u${i}` } });
      const h = await history(n);
      assert.equal(h.length, 100);
      assert.deepEqual(h[0]!.params, { unit: 'u102' });
      assert.deepEqual(h[99]!.params, { unit: 'u3' });
      for (const c of h) assert.deepEqual(Object.keys(c).sort(), ['acked_at', 'command_id', 'created_at', 'created_by', 'error', 'exit_code', 'expires_at', 'output', 'params', 'risk', 'status', 'title', 'type']);
    });
  });
}
