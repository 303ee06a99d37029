// Flow collectors in a browser: the Flows page lists a collector with its exporters' status
// (sampling rate in force, drops, templates) and the hosts it protects; a host's flow node opens
// the same node page (live charts) and incident page as an agent's node, and its top talkers show.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sqliteBackend } from '@breakwater/testing';
import { startTestServer, type TestServer } from '@breakwater/server/testing';
import { ensureBuilt, launch, openTab, shot, signIn } from './browser.ts';

const HOST = '203.0.113.10';

describe('flow collectors in a browser', () => {
  let t: TestServer;
  let browser: Browser;
  let collector: { uuid: string; key: string };
  const flow = { 'x-flow-host': HOST };

  before(async () => {
    ensureBuilt();
    t = await startTestServer(sqliteBackend);
    browser = await launch();
    collector = await t.deploy(t.admin, 'edge-collector', '192.0.2.1');
    assert.equal((await t.agent(collector, 'POST', '/collector', { networks: ['203.0.113.0/24'] })).status, 200);
    const now = t.clock.now();
    const samples = Array.from({ length: 30 }, (_, i) => ({ pps: i < 20 ? 800 : 60_000, bps: i < 20 ? 6e6 : 5e8, tcp_pct: 5, udp_pct: 94, icmp_pct: 1, recorded_at: new Date(now - (29 - i) * 1000).toISOString() }));
    assert.equal((await t.agent(collector, 'POST', '/metrics', samples, flow)).status, 200);
    const opened = await t.agent(collector, 'POST', '/incidents', {
      attack_family: 'udp_flood', severity: 'high', peak_pps: 60_000, peak_bps: 5e8, started_at: new Date(now - 9000).toISOString(),
      top_src_ips: [{ ip: '198.51.100.66', count: 500_000 }], top_dst_ports: [{ port: 7777, count: 500_000 }],
      explanation: 'UDP took 94 % of packets toward 203.0.113.10 (flows from 192.0.2.254, sampling 1:1000).',
      threshold: { name: 'pps', value: 50_000, observed: 60_000, source: 'static' },
    }, flow);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const at = new Date(now).toISOString();
    const st = await t.agent(collector, 'POST', '/flow-status', {
      exporters: [{
        exporter: '192.0.2.254', protocols: ['sflow_v5'], last_datagram_at: at, datagrams: 12_345, records: 98_765, templates: 0, template_list: [],
        sampling_rate: 1000, sampling_source: 'datagram', sampling_override: null, decode_errors: { truncated: 2 }, drops: { socket: 7, queue: 0, not_allowed: 0 }, allowed: true,
      }, {
        exporter: '192.0.2.99', protocols: [], last_datagram_at: at, datagrams: 0, records: 0, templates: 0, template_list: [],
        sampling_rate: 1, sampling_source: 'none', sampling_override: null, decode_errors: {}, drops: { socket: 0, queue: 0, not_allowed: 42 }, allowed: false,
      }],
      talkers: [{ host: HOST, at, sources: [{ ip: '198.51.100.66', packets: 600_000, bytes: 55_000_000 }, { ip: '198.51.100.7', packets: 1200, bytes: 90_000 }] }],
    });
    assert.equal(st.status, 200, JSON.stringify(st.body));
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  test('Flows page: exporters with status, protected hosts, talkers; the flow node has the node page and incident page of an agent', async () => {
    const tab = await openTab(browser, t.url);
    try {
      const { page } = tab;
      await signIn(page, t.admin.email, t.admin.password);
      await page.getByRole('link', { name: 'Flows' }).click();
      const card = page.locator('[data-collector="edge-collector"]');
      const row = card.locator('tr[data-exporter="192.0.2.254"]');
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /sflow_v5.*12,345.*98,765.*1:1,000 \(datagram\).*7.*0.*2/);
      await card.locator('tr[data-exporter="192.0.2.99"]', { hasText: 'not allowed: 42 dropped' }).waitFor();
      await card.locator('[data-table="talkers"] tbody tr', { hasText: '198.51.100.66' }).waitFor();
      assert.match((await card.locator('[data-table="talkers"] tbody tr').first().textContent()) ?? '', /198\.51\.100\.66.*600,000/);
      await shot(page, 'collectors-flows');

      await card.getByRole('link', { name: HOST }).click();
      await page.locator('[data-chart="node-pps"][data-drawn="true"]').waitFor();
      await page.locator('#node-incidents ~ ul li', { hasText: 'udp flood' }).waitFor();
      await page.getByRole('heading', { name: 'Flow node (traffic seen by a collector)' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Send command' }).count(), 0, 'no agent there to command');
      await shot(page, 'collectors-flow-node');
      await page.locator('#node-incidents ~ ul li a').first().click();
      await page.locator('[data-explanation]', { hasText: 'sampling 1:1000' }).waitFor();
      assert.match((await page.locator('[data-table="sources"] tbody tr').first().textContent()) ?? '', /198\.51\.100\.66/);
      await shot(page, 'collectors-flow-incident');
      assert.deepEqual(tab.problems, []);
    } finally {
      await tab.context.close();
    }
  });
});
