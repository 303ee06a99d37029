// Conformance: every endpoint of rest-api.md with valid input and its documented
// errors, on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

for (const backend of BACKENDS) {
  describe(`REST v1 on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('deploy API registers a node and answers exactly the documented shape', async () => {
      const r = await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: 'web-prod-1', ip: '203.0.113.10', location: 'fra1', os: 'Debian 12', interface: 'ens3' } });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), ['api_key', 'ip', 'name', 'node_uuid', 'ok']);
      assert.equal(r.body.ok, true);
      assert.match(r.body.api_key, /^[0-9a-f]{64}$/);
      assert.match(r.body.node_uuid, /^[0-9a-f-]{36}$/);
      assert.equal(r.body.name, 'web-prod-1');
      assert.equal(r.body.ip, '203.0.113.10');
      const n = await t.request('GET', `/api/v1/nodes/${r.body.node_uuid}`);
      assert.equal(n.body.data.interface, 'ens3');
      assert.equal(n.body.data.location, 'fra1');
      assert.equal(n.body.data.status, 'offline'); // never heard from
    });

    test('deploy API errors: 401 bad token, 400 missing fields, 409 duplicate name, 402 quota', async () => {
      assert.equal((await t.request('POST', '/api/deploy', { token: null, body: { name: 'x', ip: '192.0.2.1' } })).status, 401);
      assert.equal((await t.request('POST', '/api/deploy', { token: 'bwd_' + '0'.repeat(64), body: { name: 'x', ip: '192.0.2.1' } })).status, 401);
      // an API token is not a deploy token
      const wrongKind = await t.request('POST', '/api/deploy', { token: t.admin.apiToken, body: { name: 'x', ip: '192.0.2.1' } });
      assert.equal(wrongKind.status, 401);
      const noName = await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { ip: '192.0.2.1' } });
      assert.equal(noName.status, 400);
      assert.match(noName.body.error.message, /^name: is required/);
      const noIp = await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: 'x' } });
      assert.equal(noIp.status, 400);
      assert.match(noIp.body.error.message, /^ip: is required/);
      await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: 'dup', ip: '192.0.2.1' } });
      const dup = await t.request('POST', '/api/deploy', { token: t.admin.deployToken, body: { name: 'dup', ip: '192.0.2.2' } });
      assert.equal(dup.status, 409);
      assert.equal(errorCode(dup), 'duplicate_name');
      const small = await t.addWorkspace({ nodeQuota: 1 });
      await t.deploy(small, 'only-one');
      const over = await t.request('POST', '/api/deploy', { token: small.deployToken, body: { name: 'second', ip: '192.0.2.3' } });
      assert.equal(over.status, 402);
      assert.equal(errorCode(over), 'payment_required');
    });

    test('nodes: create returns the full node with its key; get, partial update, soft delete', async () => {
      const c = await t.request('POST', '/api/v1/nodes', { body: { name: 'edge-1', ip: '2001:db8::1', priority: 'staging' } });
      assert.equal(c.status, 201);
      const node = c.body.data;
      assert.equal(node.ip, '2001:db8::1');
      assert.equal(node.priority, 'staging');
      assert.equal(node.interface, 'eth0');
      assert.match(node.api_key, /^[0-9a-f]{64}$/);
      assert.ok('baseline' in node && 'protocol_breakdown' in node);
      const u = await t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { location: 'ams3', pps_threshold: 50000 } });
      assert.equal(u.status, 200);
      assert.equal(u.body.data.location, 'ams3');
      assert.equal(u.body.data.pps_threshold, 50000);
      assert.equal(u.body.data.name, 'edge-1'); // untouched fields stay
      assert.equal(u.body.data.priority, 'staging');
      const byId = await t.request('GET', `/api/v1/nodes/${node.id}`);
      assert.equal(byId.body.data.uuid, node.uuid);
      const d = await t.request('DELETE', `/api/v1/nodes/${node.uuid}`);
      assert.equal(d.status, 200);
      assert.equal((await t.request('GET', `/api/v1/nodes/${node.uuid}`)).status, 404);
      assert.equal((await t.request('DELETE', `/api/v1/nodes/${node.uuid}`)).status, 404);
      // its key stops working at once
      const hb = await t.agent({ uuid: node.uuid, key: node.api_key }, 'POST', '/heartbeat', { agent_version: '1' });
      assert.equal(hb.status, 401);
      // and its name is free again
      assert.equal((await t.request('POST', '/api/v1/nodes', { body: { name: 'edge-1', ip: '192.0.2.9' } })).status, 201);
    });

    test('nodes list: pagination bounds, status filter, meta', async () => {
      const ws = await t.addWorkspace();
      const nodes = [];
      for (let i = 0; i < 5; i++) nodes.push(await t.deploy(ws, `n${i}`));
      const page = await t.request('GET', '/api/v1/nodes?limit=2&offset=1', { token: ws.apiToken });
      assert.equal(page.status, 200);
      assert.deepEqual(page.body.meta, { total: 5, limit: 2, offset: 1 });
      assert.deepEqual(page.body.data.map((n: any) => n.name), ['n1', 'n2']);
      const dflt = await t.request('GET', '/api/v1/nodes', { token: ws.apiToken });
      assert.equal(dflt.body.meta.limit, 50);
      for (const bad of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc', 'status=burning']) {
        const r = await t.request('GET', `/api/v1/nodes?${bad}`, { token: ws.apiToken });
        assert.equal(r.status, 400, bad);
        assert.match(r.body.error.message, /^query\.(limit|offset|status)/, bad);
      }
      assert.equal((await t.request('GET', '/api/v1/nodes?limit=100', { token: ws.apiToken })).status, 200);
      // status: heartbeat → online; incident → attack; metrics above baseline → elevated
      await t.agent(nodes[0]!, 'POST', '/heartbeat', { version: '2.1' });
      await t.agent(nodes[1]!, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 100000 });
      await t.agent(nodes[2]!, 'POST', '/heartbeat', { version: '2.1', baseline_p99_pps: 1000, baseline_avg_pps: 300 });
      await t.agent(nodes[2]!, 'POST', '/metrics', { pps: 5000, bps: 1e6 });
      const by = async (s: string) => (await t.request('GET', `/api/v1/nodes?status=${s}`, { token: ws.apiToken })).body.data.map((n: any) => n.name).sort();
      assert.deepEqual(await by('online'), ['n0']);
      assert.deepEqual(await by('attack'), ['n1']);
      assert.deepEqual(await by('elevated'), ['n2']);
      assert.deepEqual(await by('offline'), ['n3', 'n4']);
      // silence past the offline window makes a node offline without any write
      t.clock.advance(91_000);
      assert.deepEqual(await by('online'), []);
      assert.deepEqual(await by('offline'), ['n0', 'n2', 'n3', 'n4']);
      t.clock.advance(-91_000);
    });

    test('incidents list filters and full detail', async () => {
      const ws = await t.addWorkspace();
      const a = await t.deploy(ws, 'a');
      const b = await t.deploy(ws, 'b');
      const open = await t.agent(a, 'POST', '/incident', {
        attack_family: 'syn_flood', severity: 'critical', peak_pps: 900000, peak_bps: 4e8,
        protocol_breakdown: { tcp: 99, udp: 1, icmp: 0 }, tcp_flag_breakdown: { SYN: 880000, ACK: 100 }, geo_breakdown: { US: 10, CN: 20 },
        source_ip_count: 65000, top_src_ips: [{ ip: '198.51.100.7', count: 50 }], top_dst_ports: [{ port: 443, count: 880000 }],
        spoofing_detected: true, botnet_detected: false, ioc_matches: ['mirai'],
      });
      assert.equal(open.status, 200);
      await t.agent(b, 'POST', '/incident', { attack_family: 'udp_flood', severity: 'low', peak_pps: 1000 });
      const resolved = await t.agent(b, 'POST', '/incidents', { attack_family: 'icmp_flood', peak_pps: 10 });
      await t.agent(b, 'POST', `/incidents/${resolved.body.uuid}/resolve`, { severity: 'medium' });
      const list = async (q: string) => (await t.request('GET', `/api/v1/incidents${q}`, { token: ws.apiToken })).body;
      assert.equal((await list('')).meta.total, 3);
      assert.deepEqual((await list('?status=active')).data.map((i: any) => i.attack_family).sort(), ['syn_flood', 'udp_flood']);
      assert.deepEqual((await list('?status=resolved')).data.map((i: any) => i.attack_family), ['icmp_flood']);
      assert.deepEqual((await list('?severity=critical')).data.map((i: any) => i.node_name), ['a']);
      assert.deepEqual((await list(`?node=${b.uuid}`)).data.map((i: any) => i.node_name), ['b', 'b']);
      assert.equal((await list('?limit=1')).data.length, 1);
      for (const bad of ['status=open', 'severity=huge', 'node=not-a-uuid', 'limit=0', 'limit=101']) {
        assert.equal((await t.request('GET', `/api/v1/incidents?${bad}`, { token: ws.apiToken })).status, 400, bad);
      }
      const d = await t.request('GET', `/api/v1/incidents/${open.body.uuid}`, { token: ws.apiToken });
      assert.equal(d.status, 200);
      const inc = d.body.data;
      assert.equal(inc.attack_family, 'syn_flood');
      assert.equal(inc.severity, 'critical');
      assert.equal(inc.peak_pps, 900000);
      assert.deepEqual(inc.protocol_breakdown, { tcp: 99, udp: 1, icmp: 0 });
      assert.deepEqual(inc.top_dst_ports, [{ port: 443, count: 880000 }]);
      assert.deepEqual(inc.geo_breakdown, { US: 10, CN: 20 });
      assert.equal(inc.spoofing_detected, true);
      assert.match(inc.summary, /SYN flood against a/);
      assert.equal((await t.request('GET', `/api/v1/incidents/${inc.id}`, { token: ws.apiToken })).body.data.uuid, inc.uuid);
      assert.equal((await t.request('GET', '/api/v1/incidents/00000000-0000-4000-8000-000000000000', { token: ws.apiToken })).status, 404);
    });

    test('notification channels: create with per-type validation, list masks secrets, delete', async () => {
      const ws = await t.addWorkspace();
      const c = await t.request('POST', '/api/v1/channels', { token: ws.apiToken, body: { name: 'ops', type: 'slack', config: { webhook_url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXSECRET' } } });
      assert.equal(c.status, 201);
      assert.equal(c.body.data.config.webhook_url, '****CRET');
      const pd = await t.request('POST', '/api/v1/channels', { token: ws.apiToken, body: { name: 'pd', type: 'pagerduty', config: { routing_key: 'short' } } });
      assert.equal(pd.status, 400);
      assert.match(pd.body.error.message, /^config\.routing_key: /);
      const bad = await t.request('POST', '/api/v1/channels', { token: ws.apiToken, body: { name: 'x', type: 'carrier_pigeon', config: {} } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^type: must be one of "discord", "slack"/);
      const missing = await t.request('POST', '/api/v1/channels', { token: ws.apiToken, body: { name: 'x', type: 'email', config: {} } });
      assert.match(missing.body.error.message, /^config\.to: is required/);
      const l = await t.request('GET', '/api/v1/channels', { token: ws.apiToken });
      assert.equal(l.body.data.length, 1);
      assert.ok(!JSON.stringify(l.body).includes('XXXXXXXXSECRET'));
      assert.equal((await t.request('DELETE', `/api/v1/channels/${c.body.data.id}`, { token: ws.apiToken })).status, 200);
      assert.equal((await t.request('DELETE', `/api/v1/channels/${c.body.data.id}`, { token: ws.apiToken })).status, 404);
      assert.equal((await t.request('GET', '/api/v1/channels', { token: ws.apiToken })).body.data.length, 0);
    });

    test('workspace info, analytics summary ranges, status overview', async () => {
      const ws = await t.addWorkspace({ nodeQuota: 7, rateLimit: 500 });
      const n = await t.deploy(ws, 'solo');
      await t.agent(n, 'POST', '/incidents', { attack_family: 'dns_flood', peak_pps: 5000, peak_bps: 9e6 });
      const w = await t.request('GET', '/api/v1/workspace', { token: ws.apiToken });
      assert.equal(w.body.data.node_count, 1);
      assert.equal(w.body.data.node_quota, 7);
      assert.equal(w.body.data.rate_limit_per_minute, 500);
      assert.equal(w.body.data.subscription_status, 'active');
      for (const range of ['7d', '30d', '90d', '365d']) {
        const a = await t.request('GET', `/api/v1/analytics/summary?range=${range}`, { token: ws.apiToken });
        assert.equal(a.status, 200, range);
        assert.equal(a.body.data.range, range);
        assert.equal(a.body.data.total_incidents, 1);
        assert.deepEqual(a.body.data.by_family, { dns_flood: 1 });
        assert.equal(a.body.data.peak_bps, 9e6);
      }
      assert.equal((await t.request('GET', '/api/v1/analytics/summary', { token: ws.apiToken })).body.data.range, '30d');
      assert.equal((await t.request('GET', '/api/v1/analytics/summary?range=1y', { token: ws.apiToken })).status, 400);
      const s = await t.request('GET', '/api/v1/status', { token: ws.apiToken });
      assert.equal(s.body.data.status, 'under_attack');
      assert.deepEqual(s.body.data.nodes, { total: 1, online: 0, offline: 0, attack: 1, elevated: 0 });
      assert.equal(s.body.data.active_incidents, 1);
    });

    test('health needs no auth; OpenAPI 3.1 lists every route; docs page is served locally', async () => {
      const h = await t.request('GET', '/api/v1/health', { token: null });
      assert.equal(h.status, 200);
      assert.equal(h.body.data.status, 'ok');
      assert.equal(h.body.data.database.engine, backend.name);
      assert.equal(h.body.data.database.ok, true);
      const o = await t.request('GET', '/api/v1/openapi.json', { token: null });
      assert.equal(o.body.openapi, '3.1.0');
      const paths = Object.keys(o.body.paths);
      for (const p of ['/api/deploy', '/api/v1/nodes', '/api/v1/nodes/{id}', '/api/v1/nodes/{id}/metrics', '/api/v1/incidents', '/api/v1/incidents/{id}',
        '/api/v1/channels', '/api/v1/channels/{id}', '/api/v1/workspace', '/api/v1/analytics/summary', '/api/v1/status', '/api/v1/health',
        '/api/v1/agent/heartbeat', '/api/v1/agent/metrics', '/api/v1/agent/incident', '/api/v1/agent/pcap', '/api/v1/agent/config',
        '/api/v1/agent/incidents', '/api/v1/agent/incidents/{id}', '/api/v1/agent/incidents/{id}/resolve', '/api/v1/agent/incidents/{id}/pcap', '/api/v1/agent/commands/ack']) {
        assert.ok(paths.includes(p), `OpenAPI lacks ${p}`);
      }
      const docs = await fetch(`${t.url}/api/v1/docs/`);
      assert.equal(docs.status, 200);
      const html = await docs.text();
      assert.match(html, /swagger/i);
      assert.ok(!/https?:\/\/(?!127\.0\.0\.1|localhost)[^"']*\.js/.test(html), 'docs page must not load scripts from a CDN');
    });

    test('unknown routes and every error use the envelope, with a request id', async () => {
      const r = await t.request('GET', '/api/v1/nope');
      assert.equal(r.status, 404);
      assert.equal(errorCode(r), 'not_found');
      assert.ok(r.headers.get('x-request-id'));
      const mine = await t.request('GET', '/api/v1/nodes', { headers: { 'x-request-id': 'trace-12345678' } });
      assert.equal(mine.headers.get('x-request-id'), 'trace-12345678');
    });
  });
}
