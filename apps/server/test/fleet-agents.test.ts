// The fleet view of agents over a real server and database: list and detail with the host
// the agent reported, the report itself (X-Agent-Key or the node credentials), and delete —
// live rules withdrawn through the mitigation service (a webhook receiver sees them go),
// then the node and its history removed in one transaction, its capture file from disk.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { audit, fleet, mitigation, nodes, type Db } from '@breakwater/db';
import { startWebhookFake, type WebhookFake } from '@breakwater/mitigation/testing';
import { BACKENDS, waitFor } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';
import { ethIpv4, pcapOf, udp } from './pcap-frames.ts';

const FAST = { mitigation: { tickMs: 50, reconcileMs: 60_000, timeoutMs: 1000, maxAttempts: 5 }, outbound: { adapters: { '*': ['loopback' as const] } } };

async function count(db: Db, table: 'metrics' | 'incidents' | 'commands' | 'pcaps' | 'allowlist' | 'fleet_hosts', nodeId: number): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('node_id', '=', nodeId).executeTakeFirstOrThrow();
  return Number(r.n);
}

for (const backend of BACKENDS) {
  describe(`fleet agents API on ${backend.name}`, () => {
    let t: TestServer;
    let hook: WebhookFake;
    let viewer: string;
    let operator: string;

    before(async () => {
      t = await startTestServer(backend, FAST);
      hook = await startWebhookFake();
      viewer = (await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'viewer', 'viewer', null)).secret;
      operator = (await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'operator', 'operator', null)).secret;
    });
    after(async () => {
      await t?.stop();
      await hook?.stop();
    });

    test('report with X-Agent-Key, then list and detail show the host: hostname, os, version, tags, last_seen in epoch seconds, the metrics snapshot', async () => {
      const n = await t.deploy(t.admin, 'web-01', '192.0.2.10');
      await t.request('PATCH', `/api/v1/nodes/${n.uuid}`, { body: { tags: ['web', 'production'] } });
      const before = Math.floor(t.clock.now() / 1000);
      const report = { hostname: 'web-01.local', os: 'Ubuntu 24.04', version: '2.1.0', cpu_percent: 12.4, mem_percent: 45, disk_percent: 62, uptime_s: 86400, extra_field: 'kept quiet' };
      const r = await t.request('POST', `/api/agents/${n.uuid}/report`, { token: null, headers: { 'x-agent-key': n.key }, body: report });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.received_at >= before);

      const list = await t.request('GET', '/api/agents', { token: viewer });
      assert.equal(list.status, 200);
      assert.ok(Array.isArray(list.body), 'the reference lists agents as a bare array');
      const a = list.body.find((x: any) => x.id === n.uuid);
      assert.deepEqual(
        { label: a.label, hostname: a.hostname, ip: a.ip, os: a.os, version: a.version, status: a.status, tags: a.tags },
        { label: 'web-01', hostname: 'web-01.local', ip: '192.0.2.10', os: 'Ubuntu 24.04', version: '2.1.0', status: 'online', tags: ['web', 'production'] },
      );
      assert.ok(Number.isInteger(a.last_seen) && a.last_seen >= before && a.last_seen <= before + 5, `last_seen in epoch seconds: ${a.last_seen}`);

      await t.agent(n, 'POST', '/metrics', { pps: 1200, bps: 9_600_000, tcp_pct: 80, udp_pct: 15, icmp_pct: 5, conn_count: 42 });
      const d = await t.request('GET', `/api/agents/${n.uuid}`, { token: viewer });
      assert.equal(d.status, 200, JSON.stringify(d.body));
      assert.deepEqual({ ...d.body.metrics.host, reported_at: undefined }, { cpu_percent: 12.4, mem_percent: 45, disk_percent: 62, uptime_s: 86400, load1: null, reported_at: undefined });
      assert.ok(d.body.metrics.host.reported_at >= before);
      await waitFor('traffic snapshot', async () => (await t.request('GET', `/api/agents/${n.uuid}`)).body.metrics.traffic.pps === 1200);
      assert.equal(d.body.streams.connected, false, 'no WebSocket from this agent');

      // Our own agents send the node credentials instead: the same report.
      const own = await t.request('POST', `/api/agents/${n.uuid}/report`, { token: n.key, headers: { 'x-node-uuid': n.uuid }, body: { cpu_percent: 3 } });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal((await t.request('GET', `/api/agents/${n.uuid}`)).body.metrics.host.cpu_percent, 3);
    });

    test('each agent says whether it is older than the server; ?outdated=true lists only those, a bad value is a 400', async () => {
      const server = t.server.ctx.version;
      const [maj, min, pat] = server.split('.').map(Number) as [number, number, number];
      const older = pat > 0 ? `${maj}.${min}.${pat - 1}` : min > 0 ? `${maj}.${min - 1}.99` : `${maj - 1}.99.99`;
      const cases = { old: older, pre: `${server}-rc.1`, same: server, newer: `${maj}.${min + 1}.0`, field: `${maj + 2}.1.0` };
      const ids: Record<string, string> = {};
      for (const [name, version] of Object.entries(cases)) {
        const n = await t.deploy(t.admin, `v-${name}`);
        ids[name] = n.uuid;
        const r = await t.request('POST', `/api/agents/${n.uuid}/report`, { token: null, headers: { 'x-agent-key': n.key }, body: { version } });
        assert.equal(r.status, 200);
      }
      const silent = await t.deploy(t.admin, 'v-silent');
      const all = (await t.request('GET', '/api/agents', { token: viewer })).body as { id: string; outdated: boolean }[];
      const flag = (id: string) => all.find((a) => a.id === id)?.outdated;
      assert.deepEqual(Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, flag(id)])), { old: true, pre: true, same: false, newer: false, field: false });
      assert.equal(flag(silent.uuid), false, 'an agent that has not said its version is not called outdated');
      const only = (await t.request('GET', '/api/agents?outdated=true', { token: viewer })).body as { id: string }[];
      assert.deepEqual(only.map((a) => a.id).sort(), [ids.old, ids.pre].sort());
      const rest = (await t.request('GET', '/api/agents?outdated=false', { token: viewer })).body as { id: string }[];
      assert.ok(rest.every((a) => a.id !== ids.old && a.id !== ids.pre) && rest.some((a) => a.id === ids.same));
      const bad = await t.request('GET', '/api/agents?outdated=maybe', { token: viewer });
      assert.equal(bad.status, 400);
      assert.equal(errorCode(bad), 'validation_error');
      assert.match(bad.body.error.message, /outdated/);
    });

    test('report refusals: no key 401, a wrong key 401, another agent\'s key 403, a bad value 400 naming the key; an unknown agent 404', async () => {
      const n = await t.deploy(t.admin);
      const other = await t.deploy(t.admin);
      const send = (headers: Record<string, string>, body: unknown = { cpu_percent: 1 }, id = n.uuid) => t.request('POST', `/api/agents/${id}/report`, { token: null, headers, body });
      const none = await send({});
      assert.equal(none.status, 401);
      assert.equal(errorCode(none), 'unauthorized');
      assert.equal((await send({ 'x-agent-key': 'f'.repeat(64) })).status, 401);
      const cross = await send({ 'x-agent-key': other.key });
      assert.equal(cross.status, 401, 'the key and the id in the path must belong together');
      const crossBearer = await t.request('POST', `/api/agents/${n.uuid}/report`, { token: other.key, headers: { 'x-node-uuid': other.uuid }, body: { cpu_percent: 1 } });
      assert.equal(crossBearer.status, 403);
      assert.match(crossBearer.body.error.message, /only for itself/);
      const bad = await send({ 'x-agent-key': n.key }, { cpu_percent: 250 });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /cpu_percent/);
      const api = await t.request('POST', `/api/agents/${n.uuid}/report`, { body: { cpu_percent: 1 } });
      assert.equal(api.status, 401, 'an API token is not an agent key');
      assert.equal((await t.request('GET', '/api/agents/5b0a8f5e-0000-4000-8000-000000000000')).status, 404);
      const ws = await t.addWorkspace();
      assert.equal((await t.request('GET', `/api/agents/${n.uuid}`, { token: ws.apiToken })).status, 404, 'another workspace sees no such agent');
      assert.ok(!(await t.request('GET', '/api/agents', { token: ws.apiToken })).body.some((x: any) => x.id === n.uuid));
    });

    test('delete: admin only; live rules withdrawn first through the mitigation service; metrics, incidents, captures, commands, files gone in one go', async () => {
      const n = await t.deploy(t.admin, 'db-01', '198.18.9.5');
      const keep = await t.deploy(t.admin, 'db-02', '198.18.9.6');
      const ctx = t.server.ctx;
      const row = (await nodes.getNodeByUuid(ctx.db, t.admin.workspaceId, n.uuid, 0))!;
      // history of every kind
      await t.request('POST', `/api/agents/${n.uuid}/report`, { token: null, headers: { 'x-agent-key': n.key }, body: { cpu_percent: 5 } });
      await t.agent(n, 'POST', '/metrics', { pps: 10, bps: 80 });
      await t.agent(keep, 'POST', '/metrics', { pps: 10, bps: 80 });
      const inc = await t.agent(n, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 100000 });
      assert.equal(inc.status, 200, JSON.stringify(inc.body));
      const f = new FormData();
      f.append('pcap', new Blob([pcapOf([ethIpv4({ src: '198.51.100.1', dst: '198.18.9.5', proto: 17, l4: udp(123, 80, 20) })])]), 'a.pcap');
      const pc = await fetch(`${t.url}/api/v1/agent/incidents/${inc.body.uuid}/pcap`, { method: 'POST', headers: { authorization: `Bearer ${n.key}`, 'x-node-uuid': n.uuid }, body: f });
      assert.equal(pc.status, 200, await pc.clone().text());
      const pcapPath = (await ctx.db.selectFrom('pcaps').select('path').where('node_id', '=', row.id).executeTakeFirstOrThrow()).path;
      assert.ok(existsSync(pcapPath));
      assert.equal((await t.request('POST', `/api/agents/${n.uuid}/commands`, { body: { type: 'drop_port', params: { protocol: 'udp', port: 123 } } })).status, 200);
      assert.equal((await t.request('POST', '/api/v1/allowlist', { body: { ip_address: '192.0.2.77', scope: 'node', node: n.uuid } })).status, 201);
      await fleet.insertTransfer(ctx.db, { id: 'tr-1', workspace_id: t.admin.workspaceId, node_id: row.id, direction: 'download', path: '/var/log/x', size: 1, sha256: null, status: 'done', error: null, actor: 'test', created_at: 1, finished_at: 2 });
      // a live blackhole the node owns, carried by a webhook receiver
      const a = await t.request('POST', '/api/v1/mitigation/adapters', { body: { adapter_type: 'webhook', name: `hook-${backend.name}`, endpoint: `${hook.url}/hooks/breakwater`, auth_token: hook.secret, capabilities: ['blackhole'] } });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      const adapter = (await mitigation.getAdapter(ctx.db, t.admin.workspaceId, a.body.data.id))!;
      const rule = await ctx.mitigation.create({
        workspaceId: t.admin.workspaceId, adapter, node: row, incident: null, intent: 'blackhole', spec: { kind: 'blackhole', prefix: '198.18.9.5/32', next_hop: null, communities: ['65535:666'] },
        owner: 'test', reason: 'owned by the node', ttlSeconds: 600, tier: null, dryRun: false,
      });
      assert.equal(rule.status, 'active');
      assert.ok(hook.observe().has('blackhole|198.18.9.5/32'));
      await waitFor('metrics stored', async () => (await count(ctx.db, 'metrics', row.id)) > 0);
      for (const tbl of ['incidents', 'commands', 'pcaps', 'allowlist', 'fleet_hosts'] as const) assert.ok((await count(ctx.db, tbl, row.id)) > 0, tbl);

      for (const token of [viewer, operator]) {
        const r = await t.request('DELETE', `/api/agents/${n.uuid}`, { token });
        assert.equal(r.status, 403, 'admin only');
        assert.equal(errorCode(r), 'forbidden');
      }
      assert.ok(hook.observe().has('blackhole|198.18.9.5/32'), 'a refused delete withdraws nothing');

      const del = await t.request('DELETE', `/api/agents/${n.uuid}`);
      assert.equal(del.status, 200, JSON.stringify(del.body));
      assert.deepEqual(del.body, { status: 'deleted' });
      assert.ok(!hook.observe().has('blackhole|198.18.9.5/32'), 'the rule was withdrawn on the speaker');
      const hist = (await t.request('GET', '/api/v1/mitigation/rules/history?limit=500')).body.data.find((x: any) => x.id === rule.id);
      assert.equal(hist.status, 'withdrawn', 'the rule stays in the history, withdrawn');
      for (const tbl of ['metrics', 'incidents', 'commands', 'pcaps', 'allowlist', 'fleet_hosts'] as const) assert.equal(await count(ctx.db, tbl, row.id), 0, tbl);
      assert.equal((await fleet.listTransfers(ctx.db, row.id, 10)).length, 0);
      assert.equal(await ctx.db.selectFrom('nodes').select('id').where('id', '=', row.id).executeTakeFirst(), undefined, 'the node row is gone');
      assert.ok(!existsSync(pcapPath), 'its capture file is gone from disk');
      assert.equal((await t.request('GET', `/api/agents/${n.uuid}`)).status, 404);
      assert.equal((await t.agent(n, 'POST', '/heartbeat', { version: '1' })).status, 401, 'its key stops working at once');
      assert.equal((await t.request('DELETE', `/api/agents/${n.uuid}`)).status, 404);
      // the other node keeps everything
      assert.ok((await count(ctx.db, 'metrics', (await nodes.getNodeByUuid(ctx.db, t.admin.workspaceId, keep.uuid, 0))!.id)) > 0);
      const entries = await audit.listAudit(ctx.db, t.admin.workspaceId, 50, 0);
      const e = entries.find((x: any) => x.action === 'agent.delete' && x.target === n.uuid);
      assert.ok(e, 'the delete is in the audit log');
      assert.match(String(e.detail), /"rules_withdrawn":1/);
    });
  });
}
