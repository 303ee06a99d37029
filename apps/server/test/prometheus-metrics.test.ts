// GET /metrics on the server's port: promtool accepts it; requests are counted by route
// template (ids never become labels); stored state (nodes, ingest, outbox, incidents) shows;
// who may read it (loopback, or the metrics token); off when disabled.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, checkMetricsText, metricFamilies, sampleValue, sqliteBackend } from '@breakwater/testing';
import { resolveConfig } from '../src/config.ts';
import { isLoopbackPeer } from '../src/routes/metrics.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';

async function scrape(t: TestServer, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const r = await fetch(`${t.url}/metrics`, { headers });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

for (const backend of BACKENDS) {
  describe(`server /metrics on ${backend.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => t.stop());

    test('promtool check metrics passes, and traffic, ingest and stored state show up', async () => {
      const node = await t.deploy(t.admin, 'secret-name-west-1', '203.0.113.77');
      assert.equal((await t.request('GET', `/api/v1/nodes/${node.uuid}`)).status, 200);
      assert.equal((await t.request('GET', '/api/v1/no-such-thing')).status, 404);
      const now = t.clock.now();
      const batch = Array.from({ length: 5 }, (_, i) => ({ pps: 100 + i, bps: 800, recorded_at: new Date(now - 5000 + i * 1000).toISOString() }));
      assert.equal((await t.agent(node, 'POST', '/metrics', batch)).status, 200);

      const m = await scrape(t);
      assert.equal(m.status, 200);
      assert.match(m.type ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(await checkMetricsText(m.text), '');

      // Route templates, never the id in the path; unknown paths share one label.
      assert.equal(sampleValue(m.text, 'breakwater_http_requests_total{route="/api/v1/nodes/:id",method="GET",status_class="2xx"}'), 1);
      assert.equal(sampleValue(m.text, 'breakwater_http_requests_total{route="unmatched",method="GET",status_class="4xx"}'), 1);
      assert.ok(!m.text.includes(node.uuid), 'no node id from a URL in a label');
      assert.ok(!m.text.includes('secret-name-west-1') && !m.text.includes('203.0.113.77'), 'no workspace names or addresses');
      assert.ok((sampleValue(m.text, 'breakwater_http_request_duration_seconds_count{route="/api/v1/agent/metrics",method="POST",status_class="2xx"}') ?? 0) >= 1);

      assert.equal(sampleValue(m.text, 'breakwater_ingest_samples_total'), 5);
      assert.ok((sampleValue(m.text, 'breakwater_ingest_lag_seconds_count') ?? 0) >= 1);
      assert.equal(sampleValue(m.text, 'breakwater_nodes{kind="agent",state="online"}'), 1);
      assert.equal(sampleValue(m.text, 'breakwater_database_up'), 1);
      assert.equal(sampleValue(m.text, 'breakwater_outbox_messages{status="pending"}'), 0);
      assert.equal(sampleValue(m.text, 'breakwater_outbox_oldest_pending_age_seconds'), 0);
      assert.equal(sampleValue(m.text, 'breakwater_incidents_active{severity="critical"}'), 0);
      const names = metricFamilies(m.text);
      for (const n of ['process_cpu_seconds_total', 'breakwater_build_info', 'breakwater_mitigation_rules_active', 'breakwater_adapter_up', 'breakwater_notification_deliveries_total']) {
        assert.ok(names.has(n), `${n} is exposed`);
      }

      // An incident opened by the agent is counted while active.
      const opened = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', severity: 'high', peak_pps: 90_000, peak_bps: 1e9, started_at: new Date(now).toISOString() });
      assert.equal(opened.status, 200, JSON.stringify(opened.body));
      const m2 = await scrape(t);
      assert.equal(sampleValue(m2.text, 'breakwater_incidents_active{severity="high"}'), 1);
      // The node is now under attack: still one node heard from.
      assert.equal(sampleValue(m2.text, 'breakwater_nodes{kind="agent",state="online"}'), 1);
      // Nothing heard for longer than the offline delay: the node counts as offline.
      t.clock.advance(10 * 60_000);
      const m3 = await scrape(t);
      assert.equal(sampleValue(m3.text, 'breakwater_nodes{kind="agent",state="offline"}'), 1);
      assert.equal(await checkMetricsText(m3.text), '');
    });
  });
}

describe('who may read /metrics', () => {
  test('with a metrics token: 401 without it or with another, 200 with it', async () => {
    const t = await startTestServer(sqliteBackend, { metricsToken: 'prom-scraper-token-0123456789' });
    try {
      const none = await fetch(`${t.url}/metrics`);
      assert.equal(none.status, 401);
      assert.equal(errorCode({ status: 401, body: await none.json(), headers: none.headers }), 'unauthorized');
      assert.equal((await scrape(t, { authorization: 'Bearer prom-scraper-token-wrong-wrong' })).status, 401);
      // An API token of the workspace is not the metrics token.
      assert.equal((await scrape(t, { authorization: `Bearer ${t.admin.apiToken}` })).status, 401);
      const ok = await scrape(t, { authorization: 'Bearer prom-scraper-token-0123456789' });
      assert.equal(ok.status, 200);
      assert.ok(metricFamilies(ok.text).has('breakwater_http_requests_total'));
    } finally {
      await t.stop();
    }
  });

  test('disabled: 404 in the envelope', async () => {
    const t = await startTestServer(sqliteBackend, { metricsEnabled: false });
    try {
      const r = await t.request('GET', '/metrics', { token: null });
      assert.equal(r.status, 404);
      errorCode(r);
    } finally {
      await t.stop();
    }
  });

  test('without a token only loopback peers are served', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackPeer(a), true, a);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '', undefined]) assert.equal(isLoopbackPeer(a), false, String(a));
  });

  test('a bad metrics token in the config is refused, naming the key', () => {
    assert.throws(() => resolveConfig({ metricsToken: 'short' }), /metricsToken.*16 to 256 characters/);
  });
});
