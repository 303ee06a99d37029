// Flow collectors at the server: a node registers as a collector of its networks; its reports
// naming a protected host (x-flow-host) are filed under that host's flow node, created on first
// sight, so incidents, metrics and thresholds work on it as on an agent's node. Exporter status
// and top talkers through /api/v1/collectors. Refusals name the key; RBAC and isolation hold.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { createToken } from '../src/index.ts';
import { startTestServer, type TestServer } from './harness.ts';

const exporter = (address: string, at: string) => ({
  exporter: address, protocols: ['netflow_v9'], last_datagram_at: at, datagrams: 10, records: 200, templates: 1,
  template_list: [{ protocol: 'netflow_v9', domain: 0, template_id: 256, options: false, field_count: 18, record_length: 45 }],
  sampling_rate: 1000, sampling_source: 'options', sampling_override: null, decode_errors: { truncated: 1 },
  drops: { socket: 3, queue: 2, not_allowed: 0 }, allowed: true,
});

for (const backend of BACKENDS) {
  describe(`collectors API on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('register, report per host (flow node on first sight), incidents and metrics on the flow node; exporters and talkers in the API', async () => {
      const c = await t.deploy(t.admin, 'edge-collector-1', '192.0.2.1');
      // Before registering, a node may not name a host.
      const early = await t.agent(c, 'POST', '/metrics', { pps: 1, bps: 8 }, { 'x-flow-host': '203.0.113.7' });
      assert.equal(early.status, 403);
      assert.match(early.body.error.message, /x-flow-host/);
      const reg = await t.agent(c, 'POST', '/collector', { networks: ['203.0.113.0/24', '2001:db8::/64'] });
      assert.equal(reg.status, 200, JSON.stringify(reg.body));
      assert.deepEqual(reg.body.data.networks, ['203.0.113.0/24', '2001:db8::/64']);
      const bad = await t.agent(c, 'POST', '/collector', { networks: ['203.0.113.0/33'] });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /networks\[0\]/);

      const host = { 'x-flow-host': '203.0.113.7' };
      assert.equal((await t.agent(c, 'POST', '/metrics', { pps: 500, bps: 400_000, udp_pct: 90 }, host)).status, 200);
      const open = await t.agent(c, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 90_000, peak_bps: 7e7, started_at: new Date(t.clock.now()).toISOString() }, host);
      assert.equal(open.status, 200, JSON.stringify(open.body));
      // Outside the networks, not an address, or another collector's: refused, naming the header.
      const outside = await t.agent(c, 'POST', '/metrics', { pps: 1, bps: 8 }, { 'x-flow-host': '198.51.100.1' });
      assert.equal(outside.status, 403);
      assert.match(outside.body.error.message, /x-flow-host: 198\.51\.100\.1 is outside/);
      const junk = await t.agent(c, 'POST', '/metrics', { pps: 1, bps: 8 }, { 'x-flow-host': 'not-an-ip' });
      assert.equal(junk.status, 400);
      assert.match(junk.body.error.message, /x-flow-host: must be an IPv4 or IPv6 address/);
      // Many hosts' samples in one request; a host outside the networks refuses the request, naming it.
      const batch = await t.agent(c, 'POST', '/flow-metrics', { hosts: [{ host: '203.0.113.7', samples: [{ pps: 700, bps: 8 }] }, { host: '203.0.113.8', samples: [{ pps: 5, bps: 8 }, { pps: 6, bps: 8 }] }] });
      assert.equal(batch.status, 200, JSON.stringify(batch.body));
      assert.deepEqual(batch.body.data, { hosts: 2, accepted: 3, refused: 0 });
      const outsideBatch = await t.agent(c, 'POST', '/flow-metrics', { hosts: [{ host: '198.51.100.1', samples: [{ pps: 1, bps: 8 }] }] });
      assert.equal(outsideBatch.status, 403);
      assert.match(outsideBatch.body.error.message, /198\.51\.100\.1 is outside/);
      const badBatch = await t.agent(c, 'POST', '/flow-metrics', { hosts: [{ host: 'x', samples: [] }] });
      assert.equal(badBatch.status, 400);
      // IPv6 spellings name one flow node.
      assert.equal((await t.agent(c, 'POST', '/metrics', { pps: 1, bps: 8 }, { 'x-flow-host': '2001:DB8:0::5' })).status, 200);
      assert.equal((await t.agent(c, 'POST', '/metrics', { pps: 2, bps: 8 }, { 'x-flow-host': '2001:db8::5' })).status, 200);

      const list = (await t.request('GET', '/api/v1/collectors')).body.data;
      const col = list.find((x: { uuid: string }) => x.uuid === c.uuid);
      assert.deepEqual(col.flow_nodes.map((f: { ip: string }) => f.ip).sort(), ['2001:db8::5', '203.0.113.7', '203.0.113.8']);
      const flowNode = col.flow_nodes.find((f: { ip: string }) => f.ip === '203.0.113.7');
      const node = (await t.request('GET', `/api/v1/nodes/${flowNode.uuid}`)).body.data;
      assert.equal(node.kind, 'flow');
      assert.equal(node.status, 'attack');
      assert.equal(node.current.pps, 700);
      assert.equal((await t.request('GET', `/api/v1/nodes/${c.uuid}`)).body.data.kind, 'collector');
      const incidents = (await t.request('GET', `/api/v1/incidents?node=${flowNode.uuid}`)).body;
      assert.equal(incidents.meta.total, 1);
      assert.equal(incidents.data[0].attack_family, 'udp_flood');
      // The open's uuid works for updates and the resolve through the same header.
      const resolved = await t.agent(c, 'POST', `/incidents/${open.body.uuid}/resolve`, { duration_seconds: 12 }, host);
      assert.equal(resolved.status, 200);

      // Exporter status and talkers.
      const at = new Date(t.clock.now()).toISOString();
      const st = await t.agent(c, 'POST', '/flow-status', {
        exporters: [exporter('192.0.2.254', at)],
        talkers: [{ host: '203.0.113.7', at, sources: [{ ip: '198.51.100.9', packets: 9000, bytes: 900_000 }, { ip: '198.51.100.10', packets: 10, bytes: 1000 }] },
          { host: '203.0.113.99', at, sources: [{ ip: '198.51.100.9', packets: 1, bytes: 1 }] }],
      });
      assert.equal(st.status, 200, JSON.stringify(st.body));
      assert.deepEqual(st.body.data, { exporters: 1, talkers: 2 });
      await t.agent(c, 'POST', '/flow-status', { exporters: [], talkers: [{ host: '203.0.113.7', at: new Date(t.clock.now() + 1000).toISOString(), sources: [{ ip: '198.51.100.9', packets: 1000, bytes: 1 }] }] });
      const one = (await t.request('GET', `/api/v1/collectors/${c.uuid}`)).body.data;
      assert.equal(one.exporters[0].exporter, '192.0.2.254');
      assert.equal(one.exporters[0].sampling_rate, 1000);
      assert.deepEqual(one.exporters[0].drops, { socket: 3, queue: 2, not_allowed: 0 });
      assert.equal(one.exporters[0].template_list[0].template_id, 256);
      t.clock.advance(2000);
      const talkers = (await t.request('GET', `/api/v1/collectors/${c.uuid}/talkers?host=203.0.113.7&window=60`)).body.data;
      assert.deepEqual(talkers.talkers, [{ ip: '198.51.100.9', packets: 10_000, bytes: 900_001 }, { ip: '198.51.100.10', packets: 10, bytes: 1000 }]);
      assert.equal(talkers.node, flowNode.uuid);
      const badQ = await t.request('GET', `/api/v1/collectors/${c.uuid}/talkers?host=x&window=0`);
      assert.equal(badQ.status, 400);
      // A flow node or an agent node is not a collector.
      assert.equal((await t.request('GET', `/api/v1/collectors/${flowNode.uuid}`)).status, 404);
      // A flow node cannot register as a collector (it has no key anyway); a flow-status from a non-collector is refused.
      const agent = await t.deploy(t.admin, 'plain-agent', '192.0.2.2');
      assert.equal((await t.agent(agent, 'POST', '/flow-status', { exporters: [] })).status, 403);
    });

    test('RBAC and workspace isolation: viewers read, other workspaces see nothing, no credential is a 401 before the body', async () => {
      const c = await t.deploy(t.admin, 'edge-collector-2', '192.0.2.3');
      assert.equal((await t.agent(c, 'POST', '/collector', { networks: ['198.18.0.0/24'] })).status, 200);
      const viewer = await createToken(t.server.ctx.db, t.clock, t.admin.workspaceId, 'api', 'viewer', 'viewer', null);
      assert.equal((await t.request('GET', '/api/v1/collectors', { token: viewer.secret })).status, 200);
      const other = await t.addWorkspace();
      const theirs = await t.request('GET', '/api/v1/collectors', { token: other.apiToken });
      assert.equal(theirs.status, 200);
      assert.equal(theirs.body.data.length, 0);
      assert.equal((await t.request('GET', `/api/v1/collectors/${c.uuid}`, { token: other.apiToken })).status, 404);
      assert.equal((await t.request('GET', '/api/v1/collectors', { token: null })).status, 401);
      const noKey = await fetch(`${t.url}/api/v1/agent/collector`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"networks": 5}' });
      assert.equal(noKey.status, 401);
    });
  });
}
