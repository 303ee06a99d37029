import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpKeyCount, HttpTick } from '@breakwater/contracts';
import { toAgentIncident } from '../incident/agent-payload.ts';
import { recommendMitigation } from '../mitigation/recommend.ts';
import { createHttpFloodEngine } from './http-engine.ts';

const T0 = Date.now();
const kc = (pairs: [string, number][]): HttpKeyCount[] => pairs.map(([key, count]) => ({ key, count }));

function tick(at: number, o: Partial<HttpTick> = {}): HttpTick {
  const requests = o.requests ?? 0;
  return {
    at, durationMs: 250, requests, get: o.get ?? requests, post: o.post ?? 0,
    status: o.status ?? { s2xx: requests, s3xx: 0, s4xx: 0, s5xx: 0, other: 0 },
    queried: o.queried ?? 0, novelQueries: o.novelQueries ?? 0, loginAttempts: o.loginAttempts ?? 0, loginFailures: o.loginFailures ?? 0,
    sources: o.sources ?? [], paths: o.paths ?? [], userAgents: o.userAgents ?? [], hosts: o.hosts ?? [], loginSources: o.loginSources ?? [],
    connections: o.connections ?? null,
  };
}

const CFG = { thresholds: { rps: 1000, postRps: 300, sourceRps: 5000, uriRps: 200, novelQueryRps: 100, loginFailureRps: 5, openConnections: 500, sourceConnections: 300 }, baseline: { enabled: false }, cooldownMs: 1000 };

/** Feeds `seconds` of 250 ms ticks made by `make`, returns every event. */
function run(engine: ReturnType<typeof createHttpFloodEngine>, from: number, seconds: number, make: (at: number) => HttpTick) {
  const events = [];
  for (let at = from + 250; at <= from + seconds * 1000; at += 250) events.push(...engine.ingest(make(at)));
  return events;
}

const CASES: { subtype: string; make: (at: number) => HttpTick }[] = [
  { subtype: 'uri_hammering', make: (at) => tick(at, { requests: 100, sources: kc([['10.0.0.9', 100]]), paths: kc([['/index.html', 100]]), userAgents: kc([['ApacheBench/2.3', 100]]) }) },
  { subtype: 'post_flood', make: (at) => tick(at, { requests: 100, get: 0, post: 100, sources: kc([['10.0.0.7', 60], ['10.0.0.8', 40]]), paths: kc([['/a', 50], ['/b', 50]]) }) },
  { subtype: 'cache_busting', make: (at) => tick(at, { requests: 60, queried: 60, novelQueries: 60, sources: kc([['10.0.0.5', 60]]), paths: kc([['/', 60]]) }) },
  { subtype: 'login_brute_force', make: (at) => tick(at, { requests: 5, get: 0, post: 5, loginAttempts: 5, loginFailures: 5, status: { s2xx: 0, s3xx: 0, s4xx: 5, s5xx: 0, other: 0 }, sources: kc([['10.0.0.3', 5]]), loginSources: kc([['10.0.0.3', 5]]), paths: kc([['/login', 5]]) }) },
  { subtype: 'slowloris', make: (at) => tick(at, { requests: 1, paths: kc([['/', 1]]), connections: { open: 800, sources: kc([['10.0.0.2', 800]]) } }) },
  { subtype: 'get_flood', make: (at) => tick(at, { requests: 300, sources: kc([['10.0.0.1', 150], ['10.0.0.4', 150]]), paths: kc(Array.from({ length: 10 }, (_, i) => [`/p${i}`, 30] as [string, number])) }) },
];

for (const c of CASES) {
  test(`http engine: ${c.subtype} opens an http_flood of that subtype with its top source, and resolves after the cooldown`, () => {
    const engine = createHttpFloodEngine(CFG, { target: '198.18.0.5' });
    assert.deepEqual(run(engine, T0, 3, (at) => tick(at, { requests: 10, paths: kc([['/', 5], ['/x', 5]]), sources: kc([['10.9.9.9', 10]]) })), [], 'quiet traffic opens nothing');
    const events = run(engine, T0 + 3000, 2, c.make);
    const opened = events.find((e) => e.type === 'incident.opened');
    assert.ok(opened && opened.type === 'incident.opened', `opened: ${JSON.stringify(events.map((e) => e.type))}`);
    const inc = engine.activeIncident()!;
    assert.equal(inc.attackFamily, 'http_flood');
    assert.equal(inc.attackSubtype, c.subtype, inc.explanation);
    const payload = toAgentIncident(inc);
    assert.ok(payload.http, 'the agent payload carries the http details');
    assert.ok(payload.top_src_ips[0]?.ip.startsWith('10.0.0.'), JSON.stringify(payload.top_src_ips));
    const rec = recommendMitigation(inc);
    assert.deepEqual(rec.flowspec, [], 'never a FlowSpec rule for an L7 flood');
    assert.ok(rec.firewall.some((f) => f.action === 'rate_limit' && f.per_source === true), JSON.stringify(rec.firewall));
    const after = engine.advance(T0 + 5000 + 3000);
    const resolved = after.find((e) => e.type === 'incident.resolved');
    assert.ok(resolved, 'resolved once quiet for the cooldown');
    assert.equal(engine.activeIncident(), undefined);
  });
}

test('http engine: error shares and top lists in the incident; 4xx/5xx share counted over the attack', () => {
  const engine = createHttpFloodEngine(CFG);
  run(engine, T0, 2, (at) => tick(at, {
    requests: 400, status: { s2xx: 100, s3xx: 0, s4xx: 200, s5xx: 100, other: 0 },
    sources: kc([['10.1.1.1', 300], ['10.1.1.2', 100]]), paths: kc([['/a', 200], ['/b', 200]]), userAgents: kc([['bot/1', 400]]), hosts: kc([['shop.example', 400]]),
  }));
  const h = engine.activeIncident()!.http!;
  assert.equal(h.error_share, 75);
  assert.equal(h.status_share['4xx'], 50);
  assert.equal(h.top_sources[0]!.key, '10.1.1.1');
  assert.equal(h.top_user_agents[0]!.key, 'bot/1');
  assert.equal(h.top_hosts[0]!.key, 'shop.example');
  assert.ok(h.peak_rps >= 1000);
});

test('http engine: a learned baseline lowers the request threshold below the static one; learning stops during an incident', () => {
  const engine = createHttpFloodEngine({ thresholds: { rps: 100_000, uriRps: 0, sourceRps: 0 }, baseline: { warmupSamples: 30, multiplier: 4, floorRps: 50 } });
  run(engine, T0, 40, (at) => tick(at, { requests: 25, paths: kc([['/', 25]]) }));
  const rps = engine.status().thresholds.find((t) => t.name === 'rps')!;
  assert.equal(rps.source, 'baseline');
  assert.equal(rps.value, 400, 'p99 of 100 rps x 4');
  const events = run(engine, T0 + 40_000, 2, (at) => tick(at, { requests: 150, paths: kc([['/', 150]]) }));
  assert.ok(events.some((e) => e.type === 'incident.opened'), '600 rps ≥ the learned 400');
  const learned = engine.status().learnedSamples;
  run(engine, T0 + 42_000, 5, (at) => tick(at, { requests: 150, paths: kc([['/', 150]]) }));
  assert.equal(engine.status().learnedSamples, learned, 'nothing learned while under attack');
});

test('http engine: config errors name the key', () => {
  assert.throws(() => createHttpFloodEngine({ thresholds: { rps: -1 } }), /thresholds\.rps/);
  assert.throws(() => createHttpFloodEngine({ nope: 1 } as never), /nope/);
});

test('http engine: ticks with garbage fields neither throw nor open', () => {
  const engine = createHttpFloodEngine(CFG);
  const bad = { at: T0 + 250, durationMs: NaN, requests: Infinity, get: -5, status: null, sources: [{ key: 5 }, null], paths: 'x' } as unknown as HttpTick;
  assert.deepEqual(engine.ingest(bad), []);
  assert.deepEqual(engine.ingest(null as unknown as HttpTick), []);
});

test('http engine: slowloris whose held connections end as a burst of 400s in the log stays slowloris, with the holder as top source', () => {
  const engine = createHttpFloodEngine(CFG);
  run(engine, T0, 2, (at) => tick(at, { requests: 1, sources: kc([['10.9.9.9', 1]]), paths: kc([['/', 1]]), connections: { open: 800, sources: kc([['10.0.0.2', 800]]) } }));
  // The client gives up: nginx logs 400 for each half-sent request, all at once.
  run(engine, T0 + 2000, 1, (at) => tick(at, {
    requests: 200, status: { s2xx: 0, s3xx: 0, s4xx: 200, s5xx: 0, other: 0 }, sources: kc([['10.0.0.2', 200]]), paths: kc([['/', 200]]), connections: { open: 0, sources: [] },
  }));
  const resolved = engine.advance(T0 + 10_000).find((e) => e.type === 'incident.resolved');
  assert.ok(resolved && resolved.type === 'incident.resolved');
  assert.equal(resolved.incident.attackSubtype, 'slowloris');
  assert.equal(resolved.incident.http!.top_sources[0]!.key, '10.0.0.2');
  assert.equal(resolved.incident.http!.peak_open_connections, 800);
});
