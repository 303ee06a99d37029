// Bad input on every route: 400/413/415 with a code and a message naming the field,
// and nothing stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS } from '@breakwater/testing';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

const long = (n: number) => 'x'.repeat(n);

for (const backend of BACKENDS) {
  describe(`bad input on ${backend.name}`, () => {
    let t: TestServer;
    let node: { uuid: string; key: string };
    let incident: string;
    let counts: () => Promise<Record<string, number>>;

    before(async () => {
      t = await startTestServer(backend);
      node = await t.deploy(t.admin, 'target');
      incident = (await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 1 })).body.uuid;
      counts = async () => {
        const out: Record<string, number> = {};
        for (const table of ['nodes', 'incidents', 'metrics', 'channels', 'pcaps', 'commands', 'tokens', 'users', 'mitigation_adapters', 'mitigation_rules', 'escalation_policies', 'host_thresholds', 'allowlist']) {
          out[table] = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.server.ctx.db)).rows[0]!.n);
        }
        return out;
      };
    });
    after(async () => t.stop());

    // [route, body, expected status, message must start with]
    const api = (m: string, p: string) => ({ kind: 'api' as const, m, p });
    const agent = (m: string, p: string) => ({ kind: 'agent' as const, m, p });
    const dep = (m: string, p: string) => ({ kind: 'deploy' as const, m, p });
    type Route = ReturnType<typeof api> | ReturnType<typeof agent> | ReturnType<typeof dep>;
    const jsonRoutes = (): Route[] => [
      dep('POST', '/api/deploy'), api('POST', '/api/v1/nodes'), api('PATCH', `/api/v1/nodes/${node.uuid}`), api('POST', '/api/v1/channels'),
      agent('POST', '/heartbeat'), agent('POST', '/metrics'), agent('POST', '/incident'), agent('POST', '/incidents'),
      agent('POST', `/incidents/${incident}`), agent('POST', `/incidents/${incident}/resolve`), agent('POST', '/commands/ack'), agent('POST', '/gre-tunnels'),
      api('POST', '/api/dash/login'),
      api('POST', '/api/v1/mitigation/rules'), api('POST', '/api/v1/mitigation/adapters'), api('PUT', '/api/v1/mitigation/escalation-policy'),
      api('POST', '/api/v1/mitigation/thresholds'), api('POST', '/api/v1/allowlist'),
    ];
    const send = (r: Route, init: { raw?: string; body?: unknown; headers?: Record<string, string> }) => {
      if (r.kind === 'agent') return t.request(r.m, `/api/v1/agent${r.p}`, { token: node.key, raw: init.raw, body: init.body, headers: { 'x-node-uuid': node.uuid, 'content-type': 'application/json', ...init.headers } });
      const token = r.kind === 'deploy' ? t.admin.deployToken : t.admin.apiToken;
      return t.request(r.m, r.p, { token, raw: init.raw, body: init.body, headers: { 'content-type': 'application/json', ...init.headers } });
    };

    test('malformed JSON, an empty body and a non-object body are refused on every JSON route', async () => {
      const before = await counts();
      for (const r of jsonRoutes()) {
        const bad = await send(r, { raw: '{"name": "x", ' });
        assert.equal(bad.status, 400, `${r.m} ${r.p}`);
        assert.equal(errorCode(bad), 'invalid_json', `${r.m} ${r.p}`);
        const empty = await send(r, { raw: '' });
        assert.equal(empty.status, 400, `${r.m} ${r.p} empty`);
        const scalar = await send(r, { raw: '"just a string"' });
        assert.equal(scalar.status, 400, `${r.m} ${r.p} scalar`);
        assert.equal(errorCode(scalar), 'validation_error');
      }
      assert.deepEqual(await counts(), before);
    });

    test('wrong types, out-of-range numbers, invalid IPs and oversized strings name the field', async () => {
      const before = await counts();
      const cases: [Route, unknown, RegExp][] = [
        [dep('POST', '/api/deploy'), { name: 'a', ip: '999.1.1.1' }, /^ip: must be a valid IPv4 or IPv6 address/],
        [dep('POST', '/api/deploy'), { name: 'a', ip: 'localhost' }, /^ip: /],
        [dep('POST', '/api/deploy'), { name: long(101), ip: '192.0.2.1' }, /^name: must NOT have more than 100 characters/],
        [dep('POST', '/api/deploy'), { name: 5, ip: '192.0.2.1' }, /^name: must be of type string/],
        [api('POST', '/api/v1/nodes'), { name: 'a', ip: '2001:db8::zz' }, /^ip: /],
        [api('POST', '/api/v1/nodes'), { name: '', ip: '192.0.2.1' }, /^name: must NOT have fewer than 1 characters/],
        [api('POST', '/api/v1/nodes'), { name: 'a', ip: '192.0.2.1', priority: 'urgent' }, /^priority: must be one of "production", "staging", "development"/],
        [api('POST', '/api/v1/nodes'), { name: 'a', ip: '192.0.2.1', interface: 'eth0; rm -rf /' }, /^interface: /],
        [api('POST', '/api/v1/nodes'), { name: 'a', ip: '192.0.2.1', colour: 'red' }, /^colour: is not an allowed field/],
        [api('PATCH', `/api/v1/nodes/${node.uuid}`), {}, /^body: must NOT have fewer than 1 properties/],
        [api('PATCH', `/api/v1/nodes/${node.uuid}`), { pps_threshold: -3 }, /^pps_threshold: /],
        [api('PATCH', `/api/v1/nodes/${node.uuid}`), { pps_threshold: '500' }, /^pps_threshold: /],
        [api('PATCH', `/api/v1/nodes/${node.uuid}`), { ip: '10.0.0.256' }, /^ip: /],
        [api('POST', '/api/v1/channels'), { name: 'c', type: 'webhook', config: { url: 'ftp://x' } }, /^config\.url: /],
        [api('POST', '/api/v1/channels'), { name: long(101), type: 'slack', config: {} }, /^name: /],
        [agent('POST', '/metrics'), { pps: -1, bps: 0 }, /pps: must be >= 0/],
        [agent('POST', '/metrics'), { pps: '100', bps: 0 }, /pps: must be of type number/],
        [agent('POST', '/metrics'), { bps: 0 }, /pps: is required/],
        [agent('POST', '/metrics'), { pps: 1, bps: 1, tcp_pct: 140 }, /tcp_pct: must be <= 100/],
        [agent('POST', '/metrics'), [], /must NOT have fewer than 1 items/],
        [agent('POST', '/metrics'), { pps: 1, bps: 1, recorded_at: 'yesterday' }, /recorded_at/],
        [agent('POST', '/heartbeat'), { uptime: -5 }, /^uptime: must be >= 0/],
        [agent('POST', '/heartbeat'), { agent_version: long(65) }, /^agent_version: /],
        [agent('POST', '/incident'), { attack_family: 'udp_flood' }, /^severity: is required/],
        [agent('POST', '/incident'), { attack_family: 'udp_flood', severity: 'apocalyptic' }, /^severity: must be one of "low", "medium", "high", "critical"/],
        [agent('POST', '/incidents'), { attack_family: 'UDP FLOOD!' }, /^attack_family: must match pattern/],
        [agent('POST', '/incidents'), { attack_family: 'udp_flood', peak_pps: 'lots' }, /^peak_pps: must be of type number/],
        [agent('POST', '/incidents'), { attack_family: 'udp_flood', top_dst_ports: [{ port: 70000, count: 1 }] }, /^top_dst_ports\.0\.port: must be <= 65535/],
        [agent('POST', `/incidents/${incident}`), { spoofing_detected: 'yes' }, /^spoofing_detected: must be of type boolean/],
        [agent('POST', `/incidents/${incident}/resolve`), { duration_seconds: -1 }, /^duration_seconds: /],
        [agent('POST', '/commands/ack'), { status: 'applied' }, /^command_id: is required/],
        [agent('POST', '/commands/ack'), { command_id: 'drop table', status: 'applied' }, /^command_id: /],
        [api('POST', '/api/v1/mitigation/rules'), { target_ip: '198.18.0.1', intent_type: 'nullroute', adapter_id: 'a' }, /^intent_type: must be one of "blackhole", "flowspec", "scrubbing"/],
        [api('POST', '/api/v1/mitigation/rules'), { target_ip: '198.18.0.1', intent_type: 'blackhole', adapter_id: 'a', ttl: -1 }, /^ttl: must be >= 0/],
        [api('POST', '/api/v1/mitigation/rules'), { target_ip: '198.18.0.1', intent_type: 'flowspec', adapter_id: 'a', match: { protocols: [300] } }, /^match\.protocols\.0: must be <= 255/],
        [api('POST', '/api/v1/mitigation/rules'), { target_ip: '198.18.0.1', intent_type: 'flowspec', adapter_id: 'a', action: { type: 'mark', dscp: 99 } }, /^action/],
        [api('POST', '/api/v1/mitigation/rules'), { target_ip: '198.18.0.1', intent_type: 'blackhole', adapter_id: 'a', communities: ['666'] }, /^communities\.0: must match pattern/],
        [api('POST', '/api/v1/mitigation/adapters'), { adapter_type: 'quagga', name: 'a', endpoint: 'x' }, /^adapter_type: must be one of/],
        [api('POST', '/api/v1/mitigation/adapters'), { adapter_type: 'gobgp', name: 'a', endpoint: '' }, /^endpoint: must NOT have fewer than 1 characters/],
        [api('POST', '/api/v1/mitigation/adapters'), { adapter_type: 'gobgp', name: 'a', endpoint: 'localhost:50051', capabilities: ['teleport'] }, /^capabilities\.0: must be one of/],
        [api('POST', '/api/v1/mitigation/adapters'), { adapter_type: 'gobgp', name: 'a', endpoint: 'localhost:50051', config: { communities: ['x'] } }, /^config\.communities/],
        [api('POST', '/api/v1/mitigation/adapters'), { adapter_type: 'gobgp', name: 'a', endpoint: 'not an endpoint' }, /^endpoint: /],
        [api('PUT', '/api/v1/mitigation/escalation-policy'), { thresholds: [{ name: 'Tier One', pps: 1, action: 'firewall' }] }, /^thresholds\.0\.name: must match pattern/],
        [api('PUT', '/api/v1/mitigation/escalation-policy'), { thresholds: [{ name: 't1', pps: 1, action: 'nuke' }] }, /^thresholds\.0\.action: must be one of/],
        [api('PUT', '/api/v1/mitigation/escalation-policy'), { hold_down_seconds: -5 }, /^hold_down_seconds: must be >= 0/],
        [api('PUT', '/api/v1/mitigation/escalation-policy'), { baseline_mode: 'vibes' }, /^baseline_mode: must be one of "static", "dynamic"/],
        [api('PUT', '/api/v1/mitigation/escalation-policy'), { min_blackhole_prefix_v4: 4 }, /^min_blackhole_prefix_v4: must be >= 8/],
        [api('PUT', '/api/v1/mitigation/escalation-policy'), { geo_lockdown: { enabled: true, countries: ['usa'] } }, /^geo_lockdown\.countries\.0: must match pattern/],
        [api('POST', '/api/v1/mitigation/thresholds'), { target_ip: '198.18.0.1', thresholds: { tier1_pps: 0 } }, /^thresholds\.tier1_pps: must be >= 1/],
        [api('POST', '/api/v1/mitigation/thresholds'), { target_ip: '198.18.0.0/99', thresholds: { tier1_pps: 5 } }, /^target_ip: /],
        [api('POST', '/api/v1/allowlist'), { ip_address: '198.18.0.0/33' }, /^ip_address: /],
        [api('POST', '/api/v1/allowlist'), { ip_address: '198.18.0.1', scope: 'galaxy' }, /^scope: must be one of "workspace", "node"/],
      ];
      for (const [r, body, msg] of cases) {
        const res = await send(r, { body });
        assert.equal(res.status, 400, `${r.m} ${r.p} ${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(res.body)}`);
        assert.equal(errorCode(res), 'validation_error');
        assert.match(res.body.error.message, msg, `${r.m} ${r.p} ${JSON.stringify(body).slice(0, 80)}`);
      }
      assert.deepEqual(await counts(), before);
      // nothing of the refused updates reached the stored objects
      const n = (await t.request('GET', `/api/v1/nodes/${node.uuid}`)).body.data;
      assert.equal(n.pps_threshold, null);
      assert.equal(n.ip, '203.0.113.10');
    });

    test('bad query strings and params', async () => {
      for (const [path, msg] of [
        [`/api/v1/nodes/${node.uuid}/metrics?step=0`, /^query\.step: must be >= 1/],
        [`/api/v1/nodes/${node.uuid}/metrics?from=nonsense`, /^query\.from: /],
        [`/api/v1/nodes/${node.uuid}/metrics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`, /^query\.from: must be before query\.to/],
        [`/api/v1/nodes/${node.uuid}/metrics?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&step=1`, /^query\.step: /],
        ['/api/v1/nodes?limit=1e9', /^query\.limit/],
        ['/api/v1/nodes?extra=1', /^query\.extra: is not an allowed field/],
      ] as const) {
        const r = await t.request('GET', path);
        assert.equal(r.status, 400, path);
        assert.match(r.body.error.message, msg, path);
      }
      assert.equal((await t.request('GET', `/api/v1/nodes/${long(65)}`)).status, 400);
      assert.equal((await t.request('GET', '/api/v1/nodes/not-a-node')).status, 404);
    });

    test('oversized JSON bodies get 413; wrong content types get 415', async () => {
      const before = await counts();
      const huge = JSON.stringify({ batch: Array.from({ length: 3000 }, () => ({ pps: 1, bps: 1, pad: long(400) })) });
      const r = await t.agent(node, 'POST', '/metrics', undefined, { 'content-type': 'application/json' });
      assert.equal(r.status, 400);
      const big = await t.request('POST', '/api/v1/agent/metrics', { token: node.key, raw: huge, headers: { 'x-node-uuid': node.uuid, 'content-type': 'application/json' } });
      assert.equal(big.status, 413);
      assert.equal(errorCode(big), 'payload_too_large');
      const xml = await t.request('POST', '/api/v1/nodes', { raw: '<node/>', headers: { 'content-type': 'application/xml' } });
      assert.equal(xml.status, 415);
      assert.equal(errorCode(xml), 'unsupported_media_type');
      assert.deepEqual(await counts(), before);
    });
  });
}
