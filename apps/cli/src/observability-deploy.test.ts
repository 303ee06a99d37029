// deploy/prometheus and deploy/grafana against what the three processes really expose: the alert
// rules pass `promtool check rules` and their unit tests (`promtool test rules`); the Grafana
// dashboard follows Grafana's documented dashboard model (schemaVersion, panels with datasource,
// targets and gridPos on the 24-column grid) and every PromQL expression parses (promtool, as
// recording rules); every metric name in a rule or a panel is one the server, the agent or the
// collector exposes on /metrics.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AgentMetrics } from '@breakwater/agent/testing';
import { CollectorMetrics } from '@breakwater/collector/testing';
import { startTestServer } from '@breakwater/server/testing';
import { metricFamilies, promtool, sqliteBackend } from '@breakwater/testing';

const DEPLOY = join(import.meta.dirname, '..', '..', '..', 'deploy');
const RULES = join(DEPLOY, 'prometheus', 'alerts.yml');
const DASHBOARD = join(DEPLOY, 'grafana', 'dashboards', 'breakwater.json');

/** Family names (from # TYPE) of the server's, an agent's and a collector's /metrics, with each histogram's series names. */
let exposed: Set<string>;

before(async () => {
  const t = await startTestServer(sqliteBackend);
  let server: string;
  try {
    server = await (await fetch(`${t.url}/metrics`)).text();
  } finally {
    await t.stop();
  }
  const agent = new AgentMetrics({ listen: undefined, version: 't' }, {
    capture: async () => ({ captured: 1, received: 1, kernelDrops: 0 }), spool: () => ({ records: 0, bytes: 0, dropped: 0 }),
    sampleRate: () => 1, streamConnected: () => true, lastContact: () => Date.now(), now: Date.now,
  });
  const collector = new CollectorMetrics({ listen: undefined, version: 't' }, {
    datagrams: () => ({ netflow: 1 }), records: () => 1, exporters: () => [], queue: () => ({ size: 0, dropped: 0 }),
    socketDrops: () => 0, notAllowed: () => 0, spool: () => ({ records: 0, bytes: 0, dropped: 0 }), hosts: () => 0,
  });
  exposed = new Set();
  for (const text of [server, (await agent.render()).body, (await collector.render()).body]) {
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exposed.add(m[1]!);
      if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exposed.add(m[1]! + s);
    }
  }
  assert.ok(metricFamilies(server).has('breakwater_http_requests_total'));
});

/** Metric names in a PromQL expression: identifiers of our families and Prometheus's `up`. */
function metricNames(expr: string): string[] {
  const names = [...expr.matchAll(/\b((?:breakwater|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
  if (/\bup\{/.test(expr)) names.push('up');
  return names;
}

test('alert rules: promtool check rules, the unit tests pass, the five alerts the operators asked for exist', async () => {
  const check = await promtool(['check', 'rules', RULES]);
  assert.equal(check.code, 0, check.output);
  const unit = await promtool(['test', 'rules', join(DEPLOY, 'prometheus', 'alerts.test.yml')]);
  assert.equal(unit.code, 0, unit.output);
  const text = readFileSync(RULES, 'utf8');
  const alerts = new Set([...text.matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1]));
  for (const a of ['BreakwaterServerDown', 'BreakwaterAgentOffline', 'BreakwaterOutboxStuck', 'BreakwaterAdapterDown', 'BreakwaterCaptureDrops']) assert.ok(alerts.has(a), `${a} is defined`);
  const cfg = await promtool(['check', 'config', '--syntax-only', join(DEPLOY, 'prometheus', 'prometheus.example.yml')]);
  assert.equal(cfg.code, 0, cfg.output);
});

test('every metric an alert rule reads is exposed', () => {
  const exprs = [...readFileSync(RULES, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!);
  assert.ok(exprs.length >= 5);
  const missing = exprs.flatMap((e) => metricNames(e).filter((n) => n !== 'up' && !exposed.has(n)).map((n) => `${n} (in ${e})`));
  assert.deepEqual(missing, []);
});

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { type: string; uid: string } }[];
}

test("Grafana dashboard: the documented dashboard model, provisioning files, every expression parses and reads exposed metrics", async () => {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; type: string; query: string }[] }; time: { from: string; to: string } };
  assert.match(d.uid, /^[A-Za-z0-9_-]{1,40}$/, 'uid: at most 40 characters');
  assert.ok(d.title);
  assert.ok(Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36, 'schemaVersion of a current Grafana');
  assert.ok(d.time.from && d.time.to);
  assert.deepEqual(d.templating.list.map((v) => [v.name, v.type, v.query]), [['datasource', 'datasource', 'prometheus']]);
  const ids = new Set<number>();
  const exprs: string[] = [];
  for (const p of d.panels) {
    assert.ok(Number.isInteger(p.id) && !ids.has(p.id), `panel ids unique (${p.id})`);
    ids.add(p.id);
    const g = p.gridPos;
    assert.ok([g.h, g.w, g.x, g.y].every((n) => Number.isInteger(n) && n >= 0) && g.w >= 1 && g.h >= 1 && g.x + g.w <= 24, `${p.title}: gridPos on the 24-column grid`);
    assert.ok(['row', 'timeseries', 'stat'].includes(p.type), `${p.title}: a panel type this dashboard uses`);
    if (p.type === 'row') continue;
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, `${p.title}: datasource`);
    assert.ok(p.targets && p.targets.length > 0, `${p.title}: targets`);
    const refIds = p.targets.map((x) => x.refId);
    assert.equal(new Set(refIds).size, refIds.length, `${p.title}: refIds unique`);
    for (const x of p.targets) exprs.push(x.expr);
  }
  // Panels do not overlap.
  const cells = new Set<string>();
  for (const p of d.panels) {
    for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`);
        cells.add(`${x},${y}`);
      }
    }
  }
  const missing = exprs.flatMap((e) => metricNames(e).filter((n) => n !== 'up' && !exposed.has(n)).map((n) => `${n} (in ${e})`));
  assert.deepEqual(missing, []);
  // Every expression parses: promtool checks them as recording rules.
  const dir = mkdtempSync(join(tmpdir(), 'bw-dash-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rules = ['groups:', '  - name: dashboard', '    rules:', ...exprs.flatMap((e, i) => [`      - record: dashboard:expr_${i}`, `        expr: ${JSON.stringify(e)}`])].join('\n');
  writeFileSync(join(dir, 'exprs.yml'), `${rules}\n`);
  const parsed = await promtool(['check', 'rules', join(dir, 'exprs.yml')]);
  assert.equal(parsed.code, 0, parsed.output);

  const provider = readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'dashboards', 'breakwater.yml'), 'utf8');
  assert.match(provider, /^apiVersion: 1$/m);
  assert.match(provider, /^\s+type: file$/m);
  assert.match(provider, /^\s+path: \/\S+$/m);
  const source = readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
  assert.match(source, /^apiVersion: 1$/m);
  assert.match(source, /^\s+type: prometheus$/m);
});
