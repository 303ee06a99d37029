// The engine's HTTP side: HTTP ticks (from access logs and the socket table) in, `http_flood`
// incident events out, in the same event and incident shapes as the packet side, so an agent
// forwards both the same way. Its own thresholds and learned baselines (HttpDetectionConfig).
// Pure: no I/O, no timers; time is what the ticks say, `advance(now)` moves it on when logs go quiet.
//
// An HTTP incident's pps is its request rate (requests per second): the agent API has one peak
// field, and the explanation says so.
import type { HttpFloodSubtype, HttpIncidentDetails, HttpTick } from '@breakwater/contracts';
import { createPercentileRing, type PercentileRing } from '../baseline/percentile-ring.ts';
import type { DetectionEvent, UpdateReason } from '../incident/events.ts';
import { summarizeTraffic, type Incident, type IncidentThreshold } from '../incident/incident.ts';
import { severityFor } from '../thresholds/thresholds.ts';
import { emptyDetail } from '../window/traffic-detail.ts';
import { classifyHttp } from './http-classify.ts';
import { parseHttpDetectionConfig, type HttpDetectionConfig, type HttpDetectionConfigInput } from './http-config.ts';
import { addHttpTick, createHttpWindow, emptySums, HTTP_METRICS, topOf, trimSums, type HttpMetric, type HttpRates, type HttpWindowSums } from './http-window.ts';

export interface HttpThreshold {
  name: HttpMetric;
  /** 0 = disabled. */
  value: number;
  source: 'static' | 'baseline';
}

export interface HttpEngineStatus {
  at: number;
  rates: HttpRates;
  thresholds: HttpThreshold[];
  learnedSamples: number;
  incident: Incident | undefined;
}

export interface HttpFloodEngine {
  ingest(tick: HttpTick): DetectionEvent[];
  advance(now: number): DetectionEvent[];
  status(): HttpEngineStatus;
  activeIncident(): Incident | undefined;
  readonly config: HttpDetectionConfig;
}

const STATIC_OF: Record<HttpMetric, keyof HttpDetectionConfig['thresholds']> = {
  rps: 'rps', post_rps: 'postRps', source_rps: 'sourceRps', uri_rps: 'uriRps', novel_query_rps: 'novelQueryRps',
  login_failure_rps: 'loginFailureRps', open_connections: 'openConnections', source_connections: 'sourceConnections',
};
/** Metrics whose normal level is learned; query novelty and failed logins stay static (they are suspicious at any level). */
const LEARNED: readonly HttpMetric[] = ['rps', 'post_rps', 'source_rps', 'uri_rps', 'open_connections', 'source_connections'];
const LEARN_EVERY_MS = 1000;

/** The incident shape names packet thresholds; an HTTP incident's are HTTP metrics (the wire field is a string). */
const asName = (m: HttpMetric) => m as unknown as IncidentThreshold['name'];

interface Active {
  incident: Incident;
  thresholds: HttpThreshold[];
  fired: Map<HttpMetric, IncidentThreshold>;
  span: HttpWindowSums;
  peakConnections: number;
  belowSince: number | undefined;
  lastUpdate: number;
  reportedRps: number;
  reportedSeverity: Incident['severity'];
}

const RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;
const pct = (a: number, b: number) => (b > 0 ? Math.round((1000 * a) / b) / 10 : 0);

export function createHttpFloodEngine(input: HttpDetectionConfigInput | HttpDetectionConfig = {}, deps: { target?: string; idPrefix?: string } = {}): HttpFloodEngine {
  const cfg = parseHttpDetectionConfig(input);
  const window = createHttpWindow(cfg.windowMs);
  const rings = Object.fromEntries(LEARNED.map((m) => [m, createPercentileRing(cfg.baseline.capacity)])) as Record<HttpMetric, PercentileRing>;
  let learned = 0;
  let nextLearn = Number.NEGATIVE_INFINITY;
  let active: Active | undefined;
  let seq = 0;

  const thresholds = (): HttpThreshold[] => HTTP_METRICS.map((name) => {
    const staticValue = cfg.thresholds[STATIC_OF[name]];
    const ring = rings[name];
    const b = cfg.baseline;
    if (!ring || !b.enabled || learned < b.warmupSamples || staticValue === 0) return { name, value: staticValue, source: 'static' as const };
    const floor = name === 'open_connections' || name === 'source_connections' ? b.floorConnections : b.floorRps;
    const d = Math.max(floor, Math.ceil(ring.percentile(b.percentile) * b.multiplier));
    return d < staticValue ? { name, value: d, source: 'baseline' as const } : { name, value: staticValue, source: 'static' as const };
  });

  const hitsOf = (ts: HttpThreshold[], r: HttpRates) =>
    ts.filter((t) => t.value > 0 && r[t.name] >= t.value).sort((a, b) => r[b.name] / b.value - r[a.name] / a.value);
  const overshoot = (ts: HttpThreshold[], r: HttpRates) => Math.max(0, ...ts.filter((t) => t.value > 0).map((t) => r[t.name] / t.value));

  /** The sources that matter for the verdict: who failed logins, who holds connections, else who sent requests. */
  const culprits = (s: HttpWindowSums, subtype: HttpFloodSubtype): ReadonlyMap<string, number> => {
    if (subtype === 'login_brute_force' && s.loginSources.size > 0) return s.loginSources;
    if ((subtype === 'slowloris' || s.sources.size === 0) && s.connections) return s.connections.sources;
    return s.sources;
  };

  const details = (a: Active, subtype: HttpFloodSubtype): HttpIncidentDetails => {
    const s = a.span;
    const st = s.status;
    const answered = st.s2xx + st.s3xx + st.s4xx + st.s5xx + st.other;
    return {
      peak_rps: Math.round(a.incident.peakPps),
      requests: Math.round(s.requests),
      top_sources: topOf(culprits(s, subtype), cfg.topN),
      top_uris: topOf(s.paths, cfg.topN),
      top_user_agents: topOf(s.userAgents, cfg.topN),
      top_hosts: topOf(s.hosts, cfg.topN),
      status_share: { '2xx': pct(st.s2xx, answered), '3xx': pct(st.s3xx, answered), '4xx': pct(st.s4xx, answered), '5xx': pct(st.s5xx, answered) },
      error_share: pct(st.s4xx + st.s5xx, answered),
      peak_open_connections: Math.round(a.peakConnections),
      login_failures: Math.round(s.loginFailures),
    };
  };

  const reclassify = (a: Active): boolean => {
    const inc = a.incident;
    const v = classifyHttp(a.span, new Set(a.fired.keys()), inc.threshold.name as unknown as HttpMetric);
    const changed = v.subtype !== inc.attackSubtype;
    const http = details(a, v.subtype);
    inc.attackSubtype = v.subtype;
    inc.confidence = v.confidence;
    const t = inc.threshold;
    inc.explanation = `http_flood/${v.subtype}: ${v.rule}; ${http.error_share}% answered 4xx/5xx [opened by ${t.name} ${Math.round(t.observed)} ≥ ${t.source} threshold ${t.value}; pps is requests per second]`;
    inc.classification = {
      ...inc.classification,
      subtype: v.subtype,
      confidence: v.confidence,
      vectors: [{ id: 'http', family: 'http_flood', subtype: v.subtype, packetShare: 1, byteShare: 1, rule: v.rule }],
      explanation: inc.explanation,
      reasons: [v.rule],
    };
    const traffic = summarizeTraffic(emptyDetail(), 0, cfg.topN);
    traffic.protocolBreakdown = { tcp: 100, udp: 0, icmp: 0 };
    traffic.topSrcIps = http.top_sources.map((x) => ({ ip: x.key, count: x.count }));
    traffic.sourceIpCount = culprits(a.span, v.subtype).size;
    traffic.totalPackets = http.requests;
    inc.traffic = traffic;
    inc.http = http;
    return changed;
  };

  const record = (a: Active, hits: HttpThreshold[], r: HttpRates): boolean => {
    let added = false;
    for (const h of hits) {
      const cur = a.fired.get(h.name);
      if (cur) cur.observed = Math.max(cur.observed, r[h.name]);
      else {
        a.fired.set(h.name, { name: asName(h.name), value: h.value, observed: r[h.name], source: h.source });
        added = true;
      }
    }
    a.incident.thresholdsFired = [...a.fired.values()].map((x) => ({ ...x }));
    const primary = a.fired.get(a.incident.threshold.name as HttpMetric);
    if (primary) a.incident.threshold = { ...primary };
    return added;
  };

  const open = (now: number, r: HttpRates, hits: HttpThreshold[], ts: HttpThreshold[]): DetectionEvent => {
    const first = hits[0]!;
    const ratio = overshoot(ts, r);
    const span = emptySums();
    const w = window.sums();
    // The window that crossed the threshold is the incident's first evidence.
    addHttpTick(span, {
      at: now, durationMs: cfg.windowMs, requests: w.requests, get: w.get, post: w.post, status: { ...w.status }, queried: w.queried, novelQueries: w.novelQueries,
      loginAttempts: w.loginAttempts, loginFailures: w.loginFailures, sources: topOf(w.sources, 100), paths: topOf(w.paths, 100), userAgents: topOf(w.userAgents, 100),
      hosts: topOf(w.hosts, 100), loginSources: topOf(w.loginSources, 100), connections: w.connections ? { open: w.connections.open, sources: topOf(w.connections.sources, 100) } : null,
    });
    const incident: Incident = {
      id: `${deps.idPrefix ?? 'http-'}${now}-${++seq}`,
      status: 'active', attackFamily: 'http_flood', attackSubtype: 'get_flood', severity: severityFor(ratio, cfg.severity), confidence: 0,
      startedAt: now, endedAt: null, resolvedAt: null, peakPps: r.rps, peakBps: 0, peakRatio: ratio,
      threshold: { name: asName(first.name), value: first.value, observed: r[first.name], source: first.source },
      thresholdsFired: [],
      baseline: { ready: learned >= cfg.baseline.warmupSamples, ppsPercentile: rings.rps.percentile(cfg.baseline.percentile), bpsPercentile: 0, ppsMean: rings.rps.mean(), source: 'http' },
      spoofingDetected: false, botnetDetected: false, botnetSignatures: [], explanation: '',
      classification: {
        family: 'http_flood', subtype: 'get_flood', confidence: 0, vectors: [], explanation: '', reasons: [],
        spoofing: { detected: false, reasons: ['sources completed TCP handshakes and sent requests: not forged'] },
        botnet: { detected: false, signatures: [], reasons: [] },
        sources: { ttlEntropyBits: 0, ttlDistinct: 0, ttlTop3Share: 0, ttlPackets: 0, distinctSources: 0, sourceRatio: 0, sourceEntropyBits: 0, topSourcesShare: 0 },
      },
      traffic: summarizeTraffic(emptyDetail(), 0, cfg.topN),
    };
    if (deps.target !== undefined) incident.target = deps.target;
    const a: Active = { incident, thresholds: ts, fired: new Map(), span, peakConnections: r.open_connections, belowSince: undefined, lastUpdate: now, reportedRps: r.rps, reportedSeverity: incident.severity };
    record(a, hits, r);
    reclassify(a);
    active = a;
    return { type: 'incident.opened', at: now, incident: structuredClone(incident) };
  };

  const step = (a: Active, now: number, r: HttpRates, tick: HttpTick | undefined): DetectionEvent[] => {
    const inc = a.incident;
    const hits = hitsOf(a.thresholds, r);
    const added = record(a, hits, r);
    inc.peakPps = Math.max(inc.peakPps, r.rps);
    a.peakConnections = Math.max(a.peakConnections, r.open_connections);
    inc.peakRatio = Math.max(inc.peakRatio, overshoot(a.thresholds, r));
    inc.severity = severityFor(inc.peakRatio, cfg.severity);
    const below = a.thresholds.every((t) => t.value <= 0 || r[t.name] < t.value * cfg.resolveRatio);
    if (!below && tick) {
      addHttpTick(a.span, tick, true);
      trimSums(a.span, 100);
    }
    if (below) a.belowSince ??= now;
    else a.belowSince = undefined;
    if (a.belowSince !== undefined && now - a.belowSince >= cfg.cooldownMs) {
      inc.status = 'resolved';
      inc.endedAt = Math.max(inc.startedAt, a.belowSince);
      inc.resolvedAt = Math.max(inc.endedAt, now);
      reclassify(a);
      active = undefined;
      return [{ type: 'incident.resolved', at: now, incident: structuredClone(inc) }];
    }
    const reasons: UpdateReason[] = [];
    if (RANK[inc.severity] > RANK[a.reportedSeverity]) reasons.push('escalated');
    if (inc.peakPps >= a.reportedRps * 1.2) reasons.push('peak');
    if (added) reasons.push('threshold');
    if (now - a.lastUpdate >= cfg.updateIntervalMs) reasons.push('periodic');
    if (reasons.length === 0) return [];
    if (reclassify(a)) reasons.push('reclassified');
    a.lastUpdate = now;
    a.reportedRps = inc.peakPps;
    a.reportedSeverity = inc.severity;
    return [{ type: 'incident.updated', at: now, reasons, incident: structuredClone(inc) }];
  };

  const evaluate = (tick: HttpTick | undefined): DetectionEvent[] => {
    const now = window.end();
    const r = window.rates();
    if (active) return step(active, now, r, tick);
    const ts = thresholds();
    const hits = hitsOf(ts, r);
    if (hits.length > 0) return [open(now, r, hits, ts)];
    if (tick && now >= nextLearn) {
      nextLearn = now + LEARN_EVERY_MS;
      for (const m of LEARNED) rings[m].add(r[m]);
      learned++;
    }
    return [];
  };

  return {
    config: cfg,
    ingest(tick) {
      if (!tick || typeof tick !== 'object' || !window.push(tick)) return [];
      return evaluate(tick);
    },
    advance(now) {
      if (!Number.isFinite(now) || now <= window.end()) return [];
      if (!Number.isFinite(window.end())) {
        window.advance(now);
        return [];
      }
      const events: DetectionEvent[] = [];
      // Step a quarter window at a time so the window drains and the cooldown runs; then jump.
      const stepMs = Math.max(50, cfg.windowMs / 4);
      const maxSteps = Math.ceil((cfg.windowMs + cfg.cooldownMs) / stepMs) + 2;
      for (let i = 0; i < maxSteps && window.end() < now; i++) {
        window.advance(Math.min(now, window.end() + stepMs));
        events.push(...evaluate(undefined));
      }
      if (window.end() < now) {
        window.advance(now);
        events.push(...evaluate(undefined));
      }
      return events;
    },
    status: () => ({ at: window.end(), rates: window.rates(), thresholds: thresholds(), learnedSamples: learned, incident: active ? structuredClone(active.incident) : undefined }),
    activeIncident: () => (active ? structuredClone(active.incident) : undefined),
  };
}
