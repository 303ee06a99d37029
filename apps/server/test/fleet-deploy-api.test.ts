// Deploy and install-script API without a host: registered SSH keys (sealed, masked, named —
// never a path read on the server), the refusals a deploy makes before connecting, and the
// single-use enrolment key's life (script once, ticket for the bundle and one enrolment).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

function keygen(dir: string, name: string, type: 'ed25519' | 'ecdsa', passphrase = ''): { priv: string; pub: string; fingerprint: string } {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', name, '-f', f]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`]).toString().split(' ')[1]!;
  return { priv: readFileSync(f, 'utf8'), pub: readFileSync(`${f}.pub`, 'utf8'), fingerprint };
}

for (const backend of BACKENDS) {
  describe(`fleet deploy API on ${backend.name}`, () => {
    let t: TestServer;
    let dir: string;
    let tokens: Record<'viewer' | 'operator', string>;
    before(async () => {
      t = await startTestServer(backend, { publicUrl: 'https://bw.example.net' });
      dir = mkdtempSync(join(tmpdir(), 'bw-keys-'));
      const tok = async (role: 'viewer' | 'operator') => (await createToken(t.server.ctx.db, t.server.ctx.clock, t.admin.workspaceId, 'api', role, role, null)).secret;
      tokens = { viewer: await tok('viewer'), operator: await tok('operator') };
    });
    after(async () => {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const auditActions = async () => (await t.server.ctx.db.selectFrom('audit_log').select(['action', 'target', 'actor', 'detail']).where('workspace_id', '=', t.admin.workspaceId).orderBy('id').execute());

    test('SSH keys: registered by an admin, sealed at rest, listed masked with the fingerprint ssh-keygen prints, deleted; audited', async () => {
      const k = keygen(dir, 'ops', 'ed25519');
      for (const role of ['viewer', 'operator'] as const) {
        const r = await t.request('POST', '/api/agents/ssh-keys', { token: tokens[role], body: { name: 'ops', private_key: k.priv } });
        assert.equal(r.status, 403, role);
      }
      const made = await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'ops', private_key: k.priv } });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      assert.equal(made.body.fingerprint, k.fingerprint);
      assert.equal(made.body.key_type, 'ssh-ed25519');
      assert.equal(made.body.public_key, k.pub.split(' ').slice(0, 2).join(' '));
      assert.doesNotMatch(JSON.stringify(made.body), /PRIVATE KEY/);
      const list = await t.request('GET', '/api/agents/ssh-keys');
      assert.equal(list.body.length, 1);
      assert.equal(list.body[0].private_key, '••••••••');
      assert.doesNotMatch(JSON.stringify(list.body), /PRIVATE KEY/);
      const row = await t.server.ctx.db.selectFrom('ssh_keys').selectAll().where('id', '=', made.body.id).executeTakeFirstOrThrow();
      assert.match(row.private_key, /^enc:v1:/);
      assert.ok(!row.private_key.includes(k.priv.split('\n')[1]!), 'no line of the key in clear');

      assert.equal(errorCode(await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'ops', private_key: k.priv } })), 'duplicate_name');
      const bad = await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'junk', private_key: 'x'.repeat(100) } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^private_key: must be an OpenSSH or PEM private key/);
      const pub = await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'pub', private_key: k.pub.padEnd(80) } });
      assert.equal(pub.status, 400);
      assert.match(pub.body.error.message, /^private_key: /);

      const locked = keygen(dir, 'locked', 'ecdsa', 'correct horse');
      const noPass = await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'locked', private_key: locked.priv } });
      assert.equal(noPass.status, 400);
      assert.match(noPass.body.error.message, /^private_key: is encrypted; send its passphrase too$/);
      const wrong = await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'locked', private_key: locked.priv, passphrase: 'wrong' } });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.error.message, /^passphrase: does not decrypt private_key$/);
      const ok = await t.request('POST', '/api/agents/ssh-keys', { body: { name: 'locked', private_key: locked.priv, passphrase: 'correct horse' } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.has_passphrase, true);
      assert.equal(ok.body.fingerprint, locked.fingerprint);
      const prow = await t.server.ctx.db.selectFrom('ssh_keys').select('passphrase').where('id', '=', ok.body.id).executeTakeFirstOrThrow();
      assert.match(prow.passphrase!, /^enc:v1:/);

      assert.equal((await t.request('DELETE', `/api/agents/ssh-keys/${ok.body.id}`)).status, 200);
      assert.equal((await t.request('DELETE', `/api/agents/ssh-keys/${ok.body.id}`)).status, 404);
      const other = await t.addWorkspace();
      assert.equal((await t.request('DELETE', `/api/agents/ssh-keys/${made.body.id}`, { token: other.apiToken })).status, 404, 'another workspace cannot touch it');
      assert.deepEqual((await t.request('GET', '/api/agents/ssh-keys', { token: other.apiToken })).body, []);
      const actions = (await auditActions()).map((a) => a.action);
      assert.deepEqual(actions.filter((a) => a.startsWith('agent.ssh_key')), ['agent.ssh_key.create', 'agent.ssh_key.create', 'agent.ssh_key.delete']);
    });

    test('the deploy and install routes are documented in the OpenAPI document', async () => {
      const doc = await t.request('GET', '/api/v1/openapi.json', { token: null });
      assert.equal(doc.status, 200);
      for (const p of ['/api/agents/deploy', '/api/agents/ssh-keys', '/api/agents/ssh-keys/{id}', '/api/agents/deploy/jobs', '/api/agents/deploy/jobs/{id}', '/api/agents/known-hosts',
        '/api/agents/enrolment-keys', '/api/agents/install-script', '/api/agents/install-bundle/{part}', '/api/agents/enrol']) assert.ok(doc.body.paths[p], p);
    });

    test('deploy refuses before connecting: a key path is a name, never a file; no host key policy; a private address without the grant; roles', async () => {
      const base = { host: '10.200.99.2', ssh_user: 'root', ssh_port: 22, label: 'db-01' };
      // Whatever sits at ~/.ssh/id_ed25519 on the server, it is only ever a name to look up.
      const path = await t.request('POST', '/api/agents/deploy', { body: { ...base, ssh_key: '~/.ssh/id_ed25519', trust_on_first_use: true } });
      assert.equal(path.status, 400, JSON.stringify(path.body));
      assert.equal(errorCode(path), 'unknown_ssh_key');
      assert.match(path.body.error.message, /^ssh_key: no registered key named "~\/\.ssh\/id_ed25519" \(.*never reads a key file from its own disk\)$/);
      const abs = await t.request('POST', '/api/agents/deploy', { body: { ...base, ssh_key: '/etc/ssh/ssh_host_ed25519_key', trust_on_first_use: true } });
      assert.equal(abs.status, 400, 'an absolute path is not even a valid name');
      assert.match(abs.body.error.message, /ssh_key/);

      const k = keygen(dir, 'id_ed25519', 'ed25519');
      assert.equal((await t.request('POST', '/api/agents/ssh-keys', { body: { name: '~/.ssh/id_ed25519', private_key: k.priv } })).status, 200);
      const noPolicy = await t.request('POST', '/api/agents/deploy', { body: { ...base, ssh_key: '~/.ssh/id_ed25519' } });
      assert.equal(noPolicy.status, 400);
      assert.match(noPolicy.body.error.message, /^host_key_fingerprint: required .* unless trust_on_first_use is true$/);
      const badFp = await t.request('POST', '/api/agents/deploy', { body: { ...base, ssh_key: '~/.ssh/id_ed25519', host_key_fingerprint: 'MD5:aa:bb' } });
      assert.equal(badFp.status, 400);
      assert.match(badFp.body.error.message, /^host_key_fingerprint: /);
      const priv = await t.request('POST', '/api/agents/deploy', { body: { ...base, ssh_key: '~/.ssh/id_ed25519', trust_on_first_use: true } });
      assert.equal(priv.status, 400, JSON.stringify(priv.body));
      assert.equal(errorCode(priv), 'outbound_refused');
      assert.match(priv.body.error.message, /^host: 10\.200\.99\.2 is .*private.*outbound config does not allow/);
      for (const host of ['169.254.169.254', 'metadata.google.internal']) {
        const r = await t.request('POST', '/api/agents/deploy', { body: { ...base, host, ssh_key: '~/.ssh/id_ed25519', trust_on_first_use: true } });
        assert.equal(errorCode(r), 'outbound_refused', host);
      }
      assert.equal((await t.request('POST', '/api/agents/deploy', { token: tokens.operator, body: { ...base, ssh_key: '~/.ssh/id_ed25519', trust_on_first_use: true } })).status, 403);
      for (const path of ['/api/agents/deploy/jobs', '/api/agents/ssh-keys', '/api/agents/known-hosts']) {
        for (const role of ['viewer', 'operator'] as const) assert.equal((await t.request('GET', path, { token: tokens[role] })).status, 403, `${role} ${path}`);
      }
      assert.equal((await t.request('GET', '/api/agents/deploy/jobs/00000000-0000-4000-8000-000000000000')).status, 404);
      assert.deepEqual((await t.request('GET', '/api/agents/deploy/jobs')).body, [], 'nothing was started');
    });

    test('enrolment key: the install script once, never after expiry; its ticket downloads the sha256-named bundle and enrols one host; audited', async () => {
      assert.equal((await t.request('POST', '/api/agents/enrolment-keys', { token: tokens.viewer, body: {} })).status, 403);
      const made = await t.request('POST', '/api/agents/enrolment-keys', { token: tokens.operator, body: { label: 'rack 7', tags: ['web'] } });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      assert.match(made.body.key, /^bwe_[0-9a-f]{64}$/);
      assert.equal(made.body.install_command, `curl -fsSL 'https://bw.example.net/api/agents/install-script?key=${made.body.key}' | sh`);
      assert.equal(Date.parse(made.body.expires_at) - Date.parse(made.body.created_at), 3600_000, 'one hour by default');
      const list = await t.request('GET', '/api/agents/enrolment-keys', { token: tokens.operator });
      assert.equal(list.body[0].state, 'unused');
      assert.doesNotMatch(JSON.stringify(list.body), new RegExp(made.body.key));

      const path = `/api/agents/install-script?key=${made.body.key}`;
      const first = await t.request('GET', path, { token: null });
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type')!, /^text\/x-shellscript/);
      const script = first.body as string;
      assert.match(script, /^#!\/bin\/sh\n/);
      assert.doesNotMatch(script, /__[A-Z_]+__/, 'every placeholder filled');
      assert.match(script, /^BW_SERVER='https:\/\/bw\.example\.net'$/m);
      const ticket = /^BW_TICKET='(bwi_[0-9a-f]{64})'$/m.exec(script)![1]!;
      const agentSha = /^AGENT_SHA256='([0-9a-f]{64})'$/m.exec(script)![1]!;
      execFileSync('sh', ['-n'], { input: script });

      const again = await t.request('GET', path, { token: null });
      assert.equal(again.status, 410);
      assert.equal(errorCode(again), 'enrolment_key_used');
      assert.match(again.body.error.message, /^key: this enrolment key was already used at /);
      assert.equal(errorCode(await t.request('GET', '/api/agents/install-script?key=bwe_' + '0'.repeat(64), { token: null })), 'unauthorized');

      // The bundle: only with the ticket, and it is what the script's sha256 says.
      assert.equal((await t.request('GET', '/api/agents/install-bundle/agent', { token: null })).status, 401);
      const res = await fetch(`${t.url}/api/agents/install-bundle/agent`, { headers: { 'x-install-ticket': ticket } });
      assert.equal(res.status, 200);
      assert.equal(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex'), agentSha);

      const enrolBody = { hostname: 'web-07', interface: 'eth0', ip: '203.0.113.77', os: 'Debian GNU/Linux 12 (bookworm)' };
      assert.equal((await t.request('POST', '/api/agents/enrol', { token: null, body: enrolBody })).status, 401, 'no ticket');
      assert.equal((await t.request('POST', '/api/agents/enrol', { token: null, body: { nonsense: 1 } })).status, 401, 'the ticket is checked before the body');
      const enrolled = await t.request('POST', '/api/agents/enrol', { token: null, headers: { 'x-install-ticket': ticket }, body: enrolBody });
      assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body));
      assert.equal(enrolled.body.server_url, 'https://bw.example.net');
      assert.match(enrolled.body.api_key, /^[0-9a-f]{64}$/);
      assert.equal(enrolled.body.interface, 'eth0');
      assert.equal(enrolled.body.allow_insecure_http, undefined, 'https: no opt-in needed');
      const deployReply = await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: 'probe', ip: '203.0.113.78' } });
      assert.equal(enrolled.body.command_public_key, deployReply.headers.get('x-breakwater-command-key'), 'the command key is pinned at enrolment, as with the deploy API');
      const node = await t.request('GET', `/api/v1/nodes/${enrolled.body.node_uuid}`);
      assert.equal(node.status, 200);
      const twice = await t.request('POST', '/api/agents/enrol', { token: null, headers: { 'x-install-ticket': ticket }, body: { ...enrolBody, hostname: 'web-08' } });
      assert.equal(twice.status, 409);
      assert.equal(errorCode(twice), 'already_enrolled');
      const after1 = (await t.request('GET', '/api/agents/enrolment-keys')).body.find((k: { id: string }) => k.id === made.body.id);
      assert.equal(after1.state, 'enrolled');
      assert.equal(after1.agent_id, enrolled.body.node_uuid);

      // Expiry: a key not used within its ttl is refused, and so is a ticket older than its window.
      const late = await t.request('POST', '/api/agents/enrolment-keys', { body: { ttl_seconds: 120 } });
      t.clock.advance(121_000);
      const expired = await t.request('GET', `/api/agents/install-script?key=${late.body.key}`, { token: null });
      assert.equal(expired.status, 410);
      assert.equal(errorCode(expired), 'enrolment_key_expired');
      assert.equal((await t.request('GET', '/api/agents/enrolment-keys')).body.find((k: { id: string }) => k.id === late.body.id).state, 'expired');
      t.clock.advance(30 * 60_000);
      const stale = await fetch(`${t.url}/api/agents/install-bundle/agent`, { headers: { 'x-install-ticket': ticket } });
      assert.equal(stale.status, 410);
      const bad = await t.request('POST', '/api/agents/enrolment-keys', { body: { ttl_seconds: 10 } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /ttl_seconds/);

      // Revoked before use: the key is gone, the script refused.
      const doomed = await t.request('POST', '/api/agents/enrolment-keys', { token: tokens.operator, body: {} });
      assert.equal((await t.request('DELETE', `/api/agents/enrolment-keys/${doomed.body.id}`, { token: tokens.viewer })).status, 403);
      assert.equal((await t.request('DELETE', `/api/agents/enrolment-keys/${doomed.body.id}`, { token: (await t.addWorkspace()).apiToken })).status, 404, 'another workspace cannot revoke it');
      assert.equal((await t.request('DELETE', `/api/agents/enrolment-keys/${doomed.body.id}`, { token: tokens.operator })).status, 200);
      assert.equal(errorCode(await t.request('GET', `/api/agents/install-script?key=${doomed.body.key}`, { token: null })), 'unauthorized');

      const log = await auditActions();
      const actions = log.map((a) => a.action);
      for (const a of ['agent.enrolment_key.create', 'agent.enrolment_key.use', 'agent.enrolment_key.refused', 'agent.enrol', 'agent.enrol.refused', 'agent.enrolment_key.delete']) assert.ok(actions.includes(a), a);
      const use = log.find((a) => a.action === 'agent.enrolment_key.use')!;
      assert.equal(use.target, made.body.id);
      assert.match(use.actor, /^enrolment_key:bwe_/);
    });
  });
}
