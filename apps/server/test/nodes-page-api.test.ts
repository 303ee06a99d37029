// The node API the dashboard's nodes page uses, on SQLite and PostgreSQL. The list's search, tag
// filter and orderings (asked of the API so they hold for a fleet of any size): part of the name or
// address whatever the case, a tag as a whole word (LIKE's own wildcards taken literally), each
// sort's natural order and its reverse, bad values refused naming the query key. A node's agent
// settings overriding the workspace's in its agent config.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';

for (const backend of BACKENDS) {
  describe(`node list search and order on ${backend.name}`, () => {
    let t: TestServer;
    const ids: Record<string, string> = {};
    const names = (r: { body: { data: { name: string }[] } }) => r.body.data.map((n) => n.name);

    before(async () => {
      t = await startTestServer(backend);
      const nodes = [
        { name: 'Web-Prod-1', ip: '203.0.113.10', tags: ['web', 'eu_west'], pps: 500 },
        { name: 'db-1', ip: '203.0.113.20', tags: ['db', 'euXwest'], pps: 9000 },
        { name: 'web-prod-2', ip: '198.51.100.7', tags: ['web-canary'], pps: null },
        { name: 'edge', ip: '2001:db8::5', tags: [], pps: 40 },
      ];
      for (const n of nodes) {
        const r = await t.request('POST', '/api/v1/nodes', { body: { name: n.name, ip: n.ip, tags: n.tags } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids[n.name] = r.body.data.uuid;
        if (n.pps !== null) {
          const m = await t.agent({ uuid: r.body.data.uuid, key: r.body.data.api_key }, 'POST', '/metrics', { pps: n.pps, bps: n.pps * 8000 });
          assert.equal(m.status, 200, JSON.stringify(m.body));
        }
      }
    });
    after(async () => {
      await t?.stop();
    });

    test('search matches part of the name or the address, case-insensitively', async () => {
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?q=WEB-prod')).sort(), ['Web-Prod-1', 'web-prod-2']);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?q=203.0.113')).sort(), ['Web-Prod-1', 'db-1']);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?q=db8')), ['edge']);
      const none = await t.request('GET', '/api/v1/nodes?q=%25');
      assert.deepEqual(names(none), [], 'a % is a character, not a wildcard');
      assert.equal(none.body.meta.total, 0);
    });

    test('a tag matches whole tags only, its _ taken literally; the total counts the filtered set', async () => {
      const web = await t.request('GET', '/api/v1/nodes?tag=web');
      assert.deepEqual(names(web), ['Web-Prod-1']);
      assert.equal(web.body.meta.total, 1);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?tag=eu_west')), ['Web-Prod-1']);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?tag=web&q=db')), []);
    });

    test('orders: name A→Z, traffic busiest first (silent nodes last), last seen latest first, and each reversed', async () => {
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?sort=name')), ['db-1', 'edge', 'Web-Prod-1', 'web-prod-2']);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?sort=name&order=desc')), ['web-prod-2', 'Web-Prod-1', 'edge', 'db-1']);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?sort=traffic')), ['db-1', 'Web-Prod-1', 'edge', 'web-prod-2']);
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?sort=traffic&order=asc')), ['edge', 'Web-Prod-1', 'db-1', 'web-prod-2']);
      assert.equal(names(await t.request('GET', '/api/v1/nodes?sort=last_seen')).at(-1), 'web-prod-2', 'never seen: last');
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?sort=traffic&limit=2&offset=1')), ['Web-Prod-1', 'edge'], 'pages follow the order');
    });

    test('status order puts a node under attack first', async () => {
      const key = await t.request('POST', '/api/v1/nodes', { body: { name: 'victim', ip: '192.0.2.9' } });
      const node = { uuid: key.body.data.uuid as string, key: key.body.data.api_key as string };
      await t.agent(node, 'POST', '/heartbeat', { version: '2.1.0' });
      const open = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 90_000, peak_bps: 1e8 });
      assert.equal(open.status, 200, JSON.stringify(open.body));
      const list = (await t.request('GET', '/api/v1/nodes?sort=status')).body.data as { name: string; status: string }[];
      assert.equal(list[0]!.name, 'victim');
      assert.equal(list[0]!.status, 'attack');
      assert.deepEqual(names(await t.request('GET', '/api/v1/nodes?status=attack&sort=name')), ['victim']);
    });

    test('a node\'s agent settings override the workspace\'s in its agent config, key by key, and clear with null', async () => {
      const created = await t.request('POST', '/api/v1/nodes', { body: { name: 'tuned', ip: '192.0.2.44' } });
      const node = { uuid: created.body.data.uuid as string, key: created.body.data.api_key as string };
      const cookie = await t.login(t.admin.email, t.admin.password);
      const ws = await t.request('PATCH', '/api/dash/workspace', { token: null, headers: { cookie, 'x-breakwater-csrf': '1' }, body: { settings: { attack_cooldown: 120, attack_holddown: 45 } } });
      assert.equal(ws.status, 200, JSON.stringify(ws.body));
      const config = async () => (await t.agent(node, 'GET', '/config')).body as { attack_cooldown: number; attack_holddown: number; pcap_enabled: boolean };
      assert.deepEqual(await config().then((c) => [c.attack_cooldown, c.attack_holddown, c.pcap_enabled]), [120, 45, true]);

      const set = await t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { agent_settings: { attack_cooldown: 10, pcap_enabled: false } } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.data.agent_settings, { attack_cooldown: 10, pcap_enabled: false });
      assert.deepEqual(await config().then((c) => [c.attack_cooldown, c.attack_holddown, c.pcap_enabled]), [10, 45, false], 'hold-down still the workspace\'s');

      const bad = await t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { agent_settings: { attack_cooldown: -1 } } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^agent_settings\.attack_cooldown: /);
      const unknown = await t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { agent_settings: { cooldown: 5 } } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /cooldown/);
      assert.deepEqual((await t.request('GET', `/api/v1/nodes/${node.uuid}`)).body.data.agent_settings, { attack_cooldown: 10, pcap_enabled: false }, 'refusals changed nothing');

      const cleared = await t.request('PATCH', `/api/v1/nodes/${node.uuid}`, { body: { agent_settings: null } });
      assert.deepEqual(cleared.body.data.agent_settings, {});
      assert.deepEqual(await config().then((c) => [c.attack_cooldown, c.pcap_enabled]), [120, true]);
      const audit = await t.request('GET', '/api/dash/audit?limit=20', { token: null, headers: { cookie } });
      assert.ok((audit.body.data as { action: string; target: string }[]).some((a) => a.action === 'node.update' && a.target === node.uuid), 'audited');
    });

    test('bad values are refused naming the key and what is allowed', async () => {
      const bad = await t.request('GET', '/api/v1/nodes?sort=size');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /^query\.sort: /);
      assert.match(bad.body.error.message, /name.*status.*last_seen.*traffic/);
      const tag = await t.request('GET', '/api/v1/nodes?tag=a%22b');
      assert.equal(tag.status, 400);
      assert.match(tag.body.error.message, /^query\.tag: /);
      const order = await t.request('GET', '/api/v1/nodes?sort=name&order=up');
      assert.equal(order.status, 400);
      assert.match(order.body.error.message, /^query\.order: /);
    });
  });
}
