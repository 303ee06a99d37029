// Conformance: agent-api.md and the paths agents in the field use (paths.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { commands } from '@breakwater/db';
import { BACKENDS } from '@breakwater/testing';
import { startTestServer, type TestServer } from './harness.ts';

for (const backend of BACKENDS) {
  describe(`agent API on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('heartbeat (reference and field shapes) updates status, version and keeps extras', async () => {
      const n = await t.deploy(t.admin);
      assert.equal((await t.agent(n, 'POST', '/heartbeat', { agent_version: '1.4.0', uptime: 42, os: 'Ubuntu 22.04' })).status, 200);
      let node = (await t.request('GET', `/api/v1/nodes/${n.uuid}`)).body.data;
      assert.equal(node.status, 'online');
      assert.equal(node.agent_version, '1.4.0');
      assert.equal(node.os, 'Ubuntu 22.04');
      assert.equal(node.uptime_seconds, 42);
      const field = { version: '2.1.0', baseline_ready: true, baseline_avg_pps: 300, baseline_p99_pps: 1200, pcap_active: false, retry_queue_size: 0, circuit_breaker: 'closed' };
      assert.equal((await t.agent(n, 'POST', '/heartbeat', field)).status, 200);
      node = (await t.request('GET', `/api/v1/nodes/${n.uuid}`)).body.data;
      assert.equal(node.agent_version, '2.1.0');
      assert.deepEqual(node.baseline, { p99_pps: 1200, mean_pps: 300, source: 'agent' });
      assert.equal(node.agent.circuit_breaker, 'closed');
      assert.equal(node.agent.baseline_ready, true);
    });

    test('metrics: one sample, an array, {batch}, and the field agent’s 5 s average; retries add nothing', async () => {
      const n = await t.deploy(t.admin);
      // From "now" (the server's clock), well inside raw retention: never a calendar date.
      const now = t.clock.now();
      const base = now - (now % 60_000) - 10 * 60_000;
      const iso = (s: number) => new Date(base + s * 1000).toISOString();
      assert.equal((await t.agent(n, 'POST', '/metrics', { pps: 100, bps: 8000, tcp_pct: 50, udp_pct: 40, icmp_pct: 10, conn_count: 12, recorded_at: iso(0) })).status, 200);
      const arr = [1, 2, 3].map((s) => ({ pps: 100 + s, bps: 8000, recorded_at: iso(s) }));
      assert.equal((await t.agent(n, 'POST', '/metrics', arr)).body.data.accepted, 3);
      assert.equal((await t.agent(n, 'POST', '/metrics', { batch: [{ pps: 104, bps: 1, recorded_at: iso(4) }] })).status, 200);
      assert.equal((await t.agent(n, 'POST', '/metrics', arr)).status, 200); // retried batch
      const q = await t.request('GET', `/api/v1/nodes/${n.uuid}/metrics?from=${iso(0)}&to=${iso(10)}&step=1`);
      assert.equal(q.status, 200);
      assert.equal(q.body.data.resolution, 'raw');
      assert.deepEqual(q.body.data.points.map((p: any) => [p.ts, p.pps, p.samples]), [0, 1, 2, 3, 4].map((s) => [iso(s), 100 + s, 1]));
      // field agents: averages every 5 s, no recorded_at, extra keys
      const field = await t.agent(n, 'POST', '/metrics', { pps: 250.5, bps: 1.5e6, tcp_pct: 90, udp_pct: 9, icmp_pct: 1, conn_count: 30, threshold: 50000, avg_pps: 240, samples: 5 });
      assert.equal(field.status, 200);
      const node = (await t.request('GET', `/api/v1/nodes/${n.uuid}`)).body.data;
      assert.equal(node.current.pps, 251);
      assert.equal(node.current.tcp_pct, 90);
    });

    test('incident lifecycle: open is idempotent per family, update escalates, resolve is final and idempotent', async () => {
      const n = await t.deploy(t.admin);
      const open = await t.agent(n, 'POST', '/incidents', { attack_family: 'udp_flood', attack_subtype: 'ntp_amplification', peak_pps: 100000, peak_bps: 5e8, started_at: new Date().toISOString(), baseline_pps: 300, duration: 1, top_src_ips: [{ ip: '198.51.100.1', count: 5 }], source_ip_count: 40 });
      assert.equal(open.status, 200);
      assert.match(open.body.uuid, /^[0-9a-f-]{36}$/); // field agents read the top-level uuid
      assert.equal(open.body.created, true);
      assert.equal(open.body.data.uuid, open.body.uuid);
      const again = await t.agent(n, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 50000 });
      assert.equal(again.body.uuid, open.body.uuid);
      assert.equal(again.body.created, false);
      const viaReference = await t.agent(n, 'POST', '/incident', { attack_family: 'udp_flood', severity: 'high', peak_pps: 200000 });
      assert.equal(viaReference.body.uuid, open.body.uuid);
      const other = await t.agent(n, 'POST', '/incidents', { attack_family: 'syn_flood', peak_pps: 10 });
      assert.notEqual(other.body.uuid, open.body.uuid); // one active incident per node *and family*
      const up = await t.agent(n, 'POST', `/incidents/${open.body.uuid}`, {
        peak_pps: 150000, severity: 'medium', ioc_hits: ['mirai'], spoofing_detected: true, botnet_detected: true, fragment_count: 10, fragment_pct: 0.5, total_packets: 999,
      });
      assert.equal(up.status, 200);
      let d = (await t.request('GET', `/api/v1/incidents/${open.body.uuid}`)).body.data;
      assert.equal(d.peak_pps, 200000); // peaks only grow
      assert.equal(d.severity, 'high'); // severity only escalates while active
      assert.equal(d.spoofing_detected, true);
      assert.deepEqual(d.ioc_matches, ['mirai']);
      assert.equal(d.details.fragment_pct, 0.5); // unknown fields kept
      assert.equal(d.details.baseline_pps, 300);
      assert.equal(d.attack_subtype, 'ntp_amplification');
      const res = await t.agent(n, 'POST', `/incidents/${open.body.uuid}/resolve`, {
        duration_seconds: 93, severity: 'critical', confidence: 87, attack_family: 'tcp_flood', tcp_flag_breakdown: { SYN: 5 }, pkt_length_histogram: [1, 2], ttl_distribution: { 64: 3 }, src_ip_entropy: 7.9,
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'resolved');
      d = (await t.request('GET', `/api/v1/incidents/${open.body.uuid}`)).body.data;
      assert.equal(d.status, 'resolved');
      assert.equal(d.attack_family, 'tcp_flood'); // stored as sent, outside the reference list
      assert.equal(d.severity, 'critical');
      assert.equal(d.duration_seconds, 93);
      assert.equal(d.confidence, 87);
      assert.equal(d.details.src_ip_entropy, 7.9);
      assert.ok(d.resolved_at);
      const twice = await t.agent(n, 'POST', `/incidents/${open.body.uuid}/resolve`, { duration_seconds: 5 });
      assert.equal(twice.status, 200);
      assert.equal((await t.request('GET', `/api/v1/incidents/${open.body.uuid}`)).body.data.duration_seconds, 93);
      // a new flood of the same family after resolve is a new incident
      const next = await t.agent(n, 'POST', '/incidents', { attack_family: 'udp_flood', peak_pps: 1 });
      assert.equal(next.body.created, true);
      assert.notEqual(next.body.uuid, open.body.uuid);
    });

    test('concurrent opens of one family settle on a single incident', async () => {
      const n = await t.deploy(t.admin);
      const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => t.agent(n, 'POST', '/incidents', { attack_family: 'icmp_flood', peak_pps: 1000 + i })));
      assert.ok(replies.every((r) => r.status === 200), JSON.stringify(replies.map((r) => r.body)));
      assert.equal(new Set(replies.map((r) => r.body.uuid)).size, 1);
      const list = await t.request('GET', `/api/v1/incidents?node=${n.uuid}`);
      assert.equal(list.body.meta.total, 1);
      assert.equal(list.body.data[0].peak_pps, 1007);
    });

    test('an agent cannot touch another node’s incident', async () => {
      const a = await t.deploy(t.admin);
      const b = await t.deploy(t.admin);
      const inc = await t.agent(a, 'POST', '/incidents', { attack_family: 'udp_flood' });
      assert.equal((await t.agent(b, 'POST', `/incidents/${inc.body.uuid}`, { peak_pps: 1 })).status, 404);
      assert.equal((await t.agent(b, 'POST', `/incidents/${inc.body.uuid}/resolve`, {})).status, 404);
    });

    test('config returns thresholds, baseline, IOC patterns and pending commands in both command shapes; ack records the result', async () => {
      const n = await t.deploy(t.admin);
      const node = (await t.request('GET', `/api/v1/nodes/${n.uuid}`)).body.data;
      await t.request('PATCH', `/api/v1/nodes/${n.uuid}`, { body: { pps_threshold: 50000 } });
      await t.agent(n, 'POST', '/heartbeat', { version: '2', baseline_p99_pps: 12000, baseline_avg_pps: 3400 });
      const now = Date.now();
      const id = await commands.insertCommand(t.server.ctx.db, {
        workspace_id: t.admin.workspaceId, node_id: node.id, command_type: 'iptables', command_text: 'iptables -I INPUT -s 1.2.3.4 -j DROP',
        title: 'Block 1.2.3.4', payload: JSON.stringify({ action: 'block_source', source: '1.2.3.4' }), status: 'pending', error: null, created_by: 'test', created_at: now, acked_at: null, expires_at: null,
      });
      const c = await t.agent(n, 'GET', '/config');
      assert.equal(c.status, 200);
      assert.equal(c.body.node_id, node.id);
      assert.equal(c.body.pps_threshold, 50000);
      assert.deepEqual(c.body.baseline, { p99_pps: 12000, mean_pps: 3400 });
      assert.ok(Array.isArray(c.body.ioc_patterns));
      const cmd = c.body.pending_commands[0];
      assert.equal(cmd.id, id);
      assert.equal(cmd.command, 'iptables -I INPUT -s 1.2.3.4 -j DROP');
      assert.equal(cmd.command_type, 'iptables');
      assert.equal(cmd.command_text, cmd.command);
      assert.equal(cmd.title, 'Block 1.2.3.4');
      for (const k of ['attack_cooldown', 'attack_holddown', 'pcap_enabled', 'ip_blocklist', 'service_ports', 'suspended']) assert.ok(k in c.body, k);
      const ack = await t.agent(n, 'POST', '/commands/ack', { command_id: id, status: 'applied', error: null });
      assert.equal(ack.status, 200);
      assert.equal((await t.agent(n, 'GET', '/config')).body.pending_commands.length, 0);
      assert.equal((await commands.getCommand(t.server.ctx.db, node.id, id))?.status, 'applied');
      assert.equal((await t.agent(n, 'POST', '/commands/ack', { command_id: 999999, status: 'applied' })).status, 404);
      const other = await t.deploy(t.admin);
      assert.equal((await t.agent(other, 'POST', '/commands/ack', { command_id: id, status: 'failed' })).status, 404);
    });

    test('gre-tunnels report is answered 200', async () => {
      const n = await t.deploy(t.admin);
      assert.equal((await t.agent(n, 'POST', '/gre-tunnels', { tunnels: [], gre_dedup_active: false })).status, 200);
    });

    test('node credentials: key and X-Node-UUID must both match', async () => {
      const a = await t.deploy(t.admin);
      const b = await t.deploy(t.admin);
      assert.equal((await t.request('POST', '/api/v1/agent/heartbeat', { token: a.key, body: {} })).status, 401); // no uuid header
      assert.equal((await t.agent({ uuid: b.uuid, key: a.key }, 'POST', '/heartbeat', {})).status, 401); // someone else's uuid
      assert.equal((await t.agent({ uuid: a.uuid, key: 'f'.repeat(64) }, 'POST', '/heartbeat', {})).status, 401);
      assert.equal((await t.agent({ uuid: a.uuid, key: t.admin.apiToken }, 'POST', '/heartbeat', {})).status, 401);
      // a node key is no REST credential
      assert.equal((await t.request('GET', '/api/v1/nodes', { token: a.key })).status, 401);
    });
  });
}
