// Credentials, roles, workspace isolation and rate limits.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

const CSRF = { 'x-breakwater-csrf': '1' };

for (const backend of BACKENDS) {
  describe(`auth on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('missing, malformed, wrong and revoked tokens get 401 in the envelope', async () => {
      for (const auth of [undefined, 'Basic abc', 'Bearer', 'Bearer short', `Bearer bwa_${'0'.repeat(64)}`]) {
        const r = await fetch(`${t.url}/api/v1/nodes`, { headers: auth ? { authorization: auth } : {} });
        assert.equal(r.status, 401, String(auth));
        const body = (await r.json()) as any;
        assert.equal(body.ok, false);
        assert.equal(body.error.code, 'unauthorized');
      }
      const cookie = await t.login(t.admin.email, t.admin.password);
      const created = await t.request('POST', '/api/dash/tokens', { token: null, headers: { cookie, ...CSRF }, body: { name: 'ci', kind: 'api', role: 'viewer' } });
      assert.equal(created.status, 201);
      const secret = created.body.data.token;
      assert.equal((await t.request('GET', '/api/v1/nodes', { token: secret })).status, 200);
      const list = await t.request('GET', '/api/dash/tokens', { token: null, headers: { cookie } });
      assert.ok(!JSON.stringify(list.body).includes(secret), 'a token secret is never shown again');
      assert.equal((await t.request('DELETE', `/api/dash/tokens/${created.body.data.id}`, { token: null, headers: { cookie, ...CSRF } })).status, 200);
      const revoked = await t.request('GET', '/api/v1/nodes', { token: secret });
      assert.equal(revoked.status, 401);
      assert.equal(errorCode(revoked), 'unauthorized');
      // revoking a deploy token stops deployments too
      const dep = await t.request('POST', '/api/dash/tokens', { token: null, headers: { cookie, ...CSRF }, body: { name: 'rollout', kind: 'deploy' } });
      assert.equal((await t.request('POST', '/api/deploy', { token: dep.body.data.token, body: { name: 'via-new', ip: '192.0.2.1' } })).status, 200);
      await t.request('DELETE', `/api/dash/tokens/${dep.body.data.id}`, { token: null, headers: { cookie, ...CSRF } });
      assert.equal((await t.request('POST', '/api/deploy', { token: dep.body.data.token, body: { name: 'via-old', ip: '192.0.2.1' } })).status, 401);
    });

    test('secrets are stored only as digests and passwords with scrypt', async () => {
      const db = t.server.ctx.db;
      const dump = JSON.stringify([
        (await sql`SELECT * FROM tokens`.execute(db)).rows,
        (await sql`SELECT * FROM users`.execute(db)).rows,
        (await sql`SELECT * FROM nodes`.execute(db)).rows,
      ]);
      assert.ok(!dump.includes(t.admin.apiToken) && !dump.includes(t.admin.deployToken) && !dump.includes(t.admin.password));
      assert.match(dump, /scrypt\$32768\$8\$1\$/);
    });

    test('another workspace’s objects answer 404, and lists never show them', async () => {
      const other = await t.addWorkspace();
      const mine = await t.deploy(t.admin, 'mine');
      const theirs = await t.deploy(other, 'theirs');
      const inc = await t.agent(theirs, 'POST', '/incidents', { attack_family: 'udp_flood' });
      const ch = await t.request('POST', '/api/v1/channels', { token: other.apiToken, body: { name: 'x', type: 'discord', config: { webhook_url: 'https://discord.com/api/webhooks/1/abc' } } });
      assert.equal((await t.request('GET', `/api/v1/nodes/${theirs.uuid}`)).status, 404);
      assert.equal((await t.request('PATCH', `/api/v1/nodes/${theirs.uuid}`, { body: { location: 'x' } })).status, 404);
      assert.equal((await t.request('DELETE', `/api/v1/nodes/${theirs.uuid}`)).status, 404);
      assert.equal((await t.request('GET', `/api/v1/nodes/${theirs.uuid}/metrics`)).status, 404);
      assert.equal((await t.request('GET', `/api/v1/incidents/${inc.body.uuid}`)).status, 404);
      assert.equal((await t.request('GET', `/api/v1/incidents/${inc.body.incident_id}`)).status, 404);
      assert.equal((await t.request('DELETE', `/api/v1/channels/${ch.body.data.id}`)).status, 404);
      const names = (await t.request('GET', '/api/v1/nodes?limit=100')).body.data.map((n: any) => n.name);
      assert.ok(names.includes('mine') && !names.includes('theirs'));
      assert.equal((await t.request('GET', `/api/v1/incidents?node=${theirs.uuid}`)).body.meta.total, 0);
      // the node itself still works in its own workspace
      assert.equal((await t.request('GET', `/api/v1/nodes/${theirs.uuid}`, { token: other.apiToken })).status, 200);
      assert.equal((await t.request('GET', `/api/v1/nodes/${mine.uuid}`, { token: other.apiToken })).status, 404);
    });

    test('roles: a viewer reads but cannot change; an operator changes; only an admin manages tokens', async () => {
      const cookie = await t.login(t.admin.email, t.admin.password);
      const mk = async (role: string) => (await t.request('POST', '/api/dash/tokens', { token: null, headers: { cookie, ...CSRF }, body: { name: role, kind: 'api', role } })).body.data.token as string;
      const viewer = await mk('viewer');
      const operator = await mk('operator');
      assert.equal((await t.request('GET', '/api/v1/nodes', { token: viewer })).status, 200);
      const denied = await t.request('POST', '/api/v1/nodes', { token: viewer, body: { name: 'v', ip: '192.0.2.1' } });
      assert.equal(denied.status, 403);
      assert.equal(errorCode(denied), 'forbidden');
      assert.equal((await t.request('POST', '/api/v1/channels', { token: viewer, body: { name: 'v', type: 'teams', config: { webhook_url: 'https://x.example/hook' } } })).status, 403);
      assert.equal((await t.request('POST', '/api/v1/nodes', { token: operator, body: { name: 'by-operator', ip: '192.0.2.1' } })).status, 201);
      // dashboard user management needs an admin session
      const create = await t.request('POST', '/api/dash/users', { token: null, headers: { cookie, ...CSRF }, body: { email: 'viewer@example.com', name: 'V', role: 'viewer', password: 'a-long-password-1' } });
      assert.equal(create.status, 201);
      const vcookie = await t.login('viewer@example.com', 'a-long-password-1');
      assert.equal((await t.request('GET', '/api/dash/me', { token: null, headers: { cookie: vcookie } })).body.data.role, 'viewer');
      assert.equal((await t.request('GET', '/api/dash/tokens', { token: null, headers: { cookie: vcookie } })).status, 403);
      assert.equal((await t.request('GET', '/api/v1/nodes', { token: null, headers: { cookie: vcookie } })).status, 200);
      assert.equal((await t.request('POST', '/api/v1/nodes', { token: null, headers: { cookie: vcookie, ...CSRF }, body: { name: 'z', ip: '192.0.2.1' } })).status, 403);
    });

    test('sessions: wrong password 401, writes need the CSRF header, logout ends the session', async () => {
      const wrong = await t.request('POST', '/api/dash/login', { token: null, body: { email: t.admin.email, password: 'nope' } });
      assert.equal(wrong.status, 401);
      const unknown = await t.request('POST', '/api/dash/login', { token: null, body: { email: 'ghost@example.com', password: 'nope' } });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.error.message, wrong.body.error.message); // no hint which emails exist
      const cookie = await t.login(t.admin.email, t.admin.password);
      const noCsrf = await t.request('POST', '/api/v1/nodes', { token: null, headers: { cookie }, body: { name: 'csrf', ip: '192.0.2.1' } });
      assert.equal(noCsrf.status, 403);
      assert.equal((await t.request('POST', '/api/v1/nodes', { token: null, headers: { cookie, ...CSRF }, body: { name: 'csrf', ip: '192.0.2.1' } })).status, 201);
      await t.request('POST', '/api/dash/logout', { token: null, headers: { cookie, ...CSRF } });
      assert.equal((await t.request('GET', '/api/dash/me', { token: null, headers: { cookie } })).status, 401);
      const audit = await t.request('GET', '/api/dash/audit', { token: null, headers: { cookie: await t.login(t.admin.email, t.admin.password) } });
      const actions = audit.body.data.map((a: any) => a.action);
      assert.ok(actions.includes('node.create') && actions.includes('token.revoke') && actions.includes('session.login'), actions.join(','));
    });

    test('deploy token scopes: register only registers nodes; operator also works REST v1 as an operator; never exec or admin', async () => {
      const cookie = await t.login(t.admin.email, t.admin.password);
      const mk = async (body: object) => t.request('POST', '/api/dash/tokens', { token: null, headers: { cookie, ...CSRF }, body });
      // the first deploy token (bootstrap) and one created without a scope register nodes only
      const plain = await mk({ name: 'rollout', kind: 'deploy' });
      assert.equal(plain.status, 201);
      assert.equal(plain.body.data.scope, 'register');
      for (const token of [t.admin.deployToken, plain.body.data.token as string]) {
        assert.equal((await t.request('POST', '/api/deploy', { token, body: { name: `reg-${token.slice(-6)}`, ip: '192.0.2.1' } })).status, 200);
        for (const [method, path, body] of [
          ['GET', '/api/v1/nodes', undefined], ['GET', '/api/v1/workspace', undefined], ['POST', '/api/v1/nodes', { name: 'x', ip: '192.0.2.9' }],
          ['POST', '/api/v1/mitigation/rules', { target_ip: '198.18.0.1', intent_type: 'blackhole', adapter_id: 'a' }],
          ['GET', '/api/v1/incidents', undefined],
        ] as const) {
          const r = await t.request(method, path, { token, body });
          assert.equal(r.status, 403, `${method} ${path}`);
          assert.match(r.body.error.message, /only registers nodes/);
        }
        const node = (await t.request('GET', '/api/v1/nodes?limit=1')).body.data[0].uuid as string;
        const cmd = await t.request('POST', `/api/agents/${node}/commands`, { token, body: { type: 'exec', params: { argv: ['/bin/sh', '-c', 'id'] } } });
        assert.equal(cmd.status, 403);
      }
      // an operator-scope deploy token is the reference's: REST v1 as an operator, not as an admin
      const wide = await mk({ name: 'integration', kind: 'deploy', scope: 'operator' });
      assert.equal(wide.status, 201);
      assert.equal(wide.body.data.scope, 'operator');
      assert.equal((await t.request('GET', '/api/v1/nodes', { token: wide.body.data.token })).status, 200);
      assert.equal((await t.request('POST', '/api/v1/nodes', { token: wide.body.data.token, body: { name: 'by-deploy-op', ip: '192.0.2.3' } })).status, 201);
      assert.equal((await t.request('POST', '/api/deploy', { token: wide.body.data.token, body: { name: 'reg-wide', ip: '192.0.2.4' } })).status, 200);
      // API tokens have a role, not a scope; unknown scopes are named
      const apiScoped = await mk({ name: 'x', kind: 'api', scope: 'operator' });
      assert.equal(apiScoped.status, 400);
      assert.match(apiScoped.body.error.message, /^scope: only deploy tokens have a scope/);
      const badScope = await mk({ name: 'x', kind: 'deploy', scope: 'root' });
      assert.equal(badScope.status, 400);
      assert.match(badScope.body.error.message, /^scope: must be one of "register", "operator"/);
      // the list shows each token's scope
      const list = (await t.request('GET', '/api/dash/tokens', { token: null, headers: { cookie } })).body.data as { id: string; kind: string; scope: string | null }[];
      const byId = new Map(list.map((x) => [x.id, x]));
      assert.equal(byId.get(plain.body.data.id)?.scope, 'register');
      assert.equal(byId.get(wide.body.data.id)?.scope, 'operator');
      assert.ok(list.filter((x) => x.kind === 'api').every((x) => x.scope === null));
      assert.ok(list.some((x) => x.kind === 'deploy' && x.scope === 'register' && x.id !== plain.body.data.id), 'the bootstrap deploy token is register');
    });

    test('rate limit per token: headers on every answer, 429 past the workspace limit, reset next minute', async () => {
      const ws = await t.addWorkspace({ rateLimit: 5 });
      t.clock.advance(60_000 - (t.clock.now() % 60_000) + 1000); // start of a fresh window
      const replies = [];
      for (let i = 0; i < 7; i++) replies.push(await t.request('GET', '/api/v1/workspace', { token: ws.apiToken }));
      const first = replies[0]!;
      const last = replies[6]!;
      assert.equal(first.headers.get('x-ratelimit-limit'), '5');
      assert.equal(first.headers.get('x-ratelimit-remaining'), '4');
      assert.ok(Number(first.headers.get('x-ratelimit-reset')) > 0);
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200, 200, 429, 429]);
      assert.equal(errorCode(last), 'rate_limited');
      assert.ok(Number(last.headers.get('retry-after')) > 0);
      // limits are per token: another token of the same workspace still has its own budget
      const second = await createToken(t.server.ctx.db, t.clock, ws.workspaceId, 'api', 'second', 'viewer', null);
      assert.equal((await t.request('GET', '/api/v1/workspace', { token: second.secret })).status, 200);
      t.clock.advance(60_000);
      assert.equal((await t.request('GET', '/api/v1/workspace', { token: ws.apiToken })).status, 200);
    });
  });
}
