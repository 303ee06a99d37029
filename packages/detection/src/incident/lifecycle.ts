// One incident from open to resolve. Thresholds are frozen when it opens, so a baseline hour
// boundary or a config reload cannot resolve an attack that is still going. Resolution needs every
// metric below threshold x resolveRatio (hysteresis) for cooldownMs without interruption (no
// flapping: a dip then a rise continues the same incident). Updates are sent periodically and
// whenever severity escalates, a peak grows by peakGrowthRatio or a new threshold fires.
import type { TickStats } from '@breakwater/contracts';
import type { DetectionConfig } from '../config/schema.ts';
import type { BaselineLevels } from '../baseline/hourly-baseline.ts';
import type { Classification } from '../classify/classify.ts';
import {
  belowResolveLevel,
  crossedThresholds,
  overshoot,
  severityFor,
  type EffectiveThreshold,
  type ThresholdHit,
  type ThresholdName,
} from '../thresholds/thresholds.ts';
import { addTick, type TrafficDetail } from '../window/traffic-detail.ts';
import type { WindowRates } from '../window/sliding-window.ts';
import type { DetectionEvent, UpdateReason } from './events.ts';
import { summarizeTraffic, type Incident, type IncidentThreshold } from './incident.ts';

export interface OpenContext {
  wall: number;
  mono: number;
  rates: WindowRates;
  hits: ThresholdHit[];
  thresholds: EffectiveThreshold[];
  windowDetail: TrafficDetail;
  levels: BaselineLevels;
  /** Opened by a fast-open rung, before the one-second window crossed. */
  fast?: boolean;
  /** Seconds `windowDetail` covers, when not the whole window (a fast open's recent ticks). */
  detailSeconds?: number;
}

export interface TickContext {
  wall: number;
  mono: number;
  rates: WindowRates;
  /** Rates over the last ~100 ms of counter samples, when the source gives them: a flood's bursts
   * keep the incident going even while its one-second average dips below the resolve level. */
  recent?: { pps: number; bps: number };
  tick: TickStats | undefined;
}

export interface LifecycleDeps {
  classify(detail: TrafficDetail, seconds: number, fired: ThresholdName[]): Classification;
  newId(startedAt: number): string;
  target?: string;
}

export interface IncidentLifecycle {
  isActive(): boolean;
  open(ctx: OpenContext): DetectionEvent;
  tick(ctx: TickContext): DetectionEvent[];
  current(): Incident | undefined;
}

interface Active {
  incident: Incident;
  thresholds: EffectiveThreshold[];
  fired: Map<ThresholdName, IncidentThreshold>;
  detail: TrafficDetail;
  seconds: number;
  belowSince: { mono: number; wall: number } | undefined;
  lastUpdateMono: number;
  /** Set for a fast open: until then, low one-second rates are the flood still filling the window. */
  openingUntilMono: number;
  /** Opened before the window held packet detail (a fast open): classify again once it does. */
  verdictPending: boolean;
  reported: { pps: number; bps: number; severity: Incident['severity'] };
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

export function createIncidentLifecycle(cfg: DetectionConfig, deps: LifecycleDeps): IncidentLifecycle {
  let active: Active | undefined;

  const snapshot = (a: Active): Incident => structuredClone(a.incident);

  const reclassify = (a: Active): boolean => {
    const c = deps.classify(a.detail, a.seconds, [...a.fired.keys()]);
    const inc = a.incident;
    const changed = c.family !== inc.attackFamily || c.subtype !== inc.attackSubtype;
    inc.classification = c;
    inc.attackFamily = c.family;
    inc.attackSubtype = c.subtype;
    inc.confidence = c.confidence;
    inc.spoofingDetected = c.spoofing.detected;
    inc.botnetDetected = c.botnet.detected;
    inc.botnetSignatures = c.botnet.signatures;
    const t = inc.threshold;
    const via = `${t.name} ${Math.round(t.observed)} ≥ ${t.source} threshold ${t.value}`;
    inc.explanation = `${c.explanation} [opened by ${via}]`;
    inc.traffic = summarizeTraffic(a.detail, c.sources.sourceEntropyBits, cfg.reporting.topN);
    return changed;
  };

  const recordHits = (a: Active, hits: ThresholdHit[]): boolean => {
    let added = false;
    for (const h of hits) {
      const cur = a.fired.get(h.name);
      if (cur) cur.observed = Math.max(cur.observed, h.observed);
      else {
        a.fired.set(h.name, { name: h.name, value: h.value, observed: h.observed, source: h.source });
        added = true;
      }
    }
    const inc = a.incident;
    inc.thresholdsFired = [...a.fired.values()].map((t) => ({ ...t }));
    const primary = a.fired.get(inc.threshold.name);
    if (primary) inc.threshold = { ...primary };
    return added;
  };

  return {
    isActive: () => active !== undefined,
    current: () => (active ? snapshot(active) : undefined),

    open(ctx) {
      const first = ctx.hits[0] as ThresholdHit;
      const ratio = overshoot(ctx.thresholds, ctx.rates);
      const incident: Incident = {
        id: deps.newId(ctx.wall),
        status: 'active',
        attackFamily: 'unknown',
        attackSubtype: 'unclassified',
        severity: severityFor(ratio, cfg.severity),
        confidence: 0,
        startedAt: ctx.wall,
        endedAt: null,
        resolvedAt: null,
        peakPps: ctx.rates.pps,
        peakBps: ctx.rates.bps,
        peakRatio: ratio,
        threshold: { name: first.name, value: first.value, observed: first.observed, source: first.source },
        thresholdsFired: [],
        baseline: {
          ready: ctx.levels.ready,
          ppsPercentile: ctx.levels.ppsPercentile,
          bpsPercentile: ctx.levels.bpsPercentile,
          ppsMean: ctx.levels.ppsMean,
          source: ctx.levels.source,
        },
        spoofingDetected: false,
        botnetDetected: false,
        botnetSignatures: [],
        explanation: '',
        classification: undefined as unknown as Classification,
        traffic: undefined as unknown as Incident['traffic'],
      };
      if (deps.target !== undefined) incident.target = deps.target;
      const a: Active = {
        incident,
        thresholds: ctx.thresholds,
        fired: new Map(),
        detail: ctx.windowDetail,
        seconds: ctx.detailSeconds ?? cfg.windowMs / 1000,
        belowSince: undefined,
        lastUpdateMono: ctx.mono,
        openingUntilMono: ctx.fast ? ctx.mono + cfg.windowMs : -Infinity,
        verdictPending: false,
        reported: { pps: ctx.rates.pps, bps: ctx.rates.bps, severity: incident.severity },
      };
      recordHits(a, ctx.hits);
      reclassify(a);
      // A fast open is named from its newest tick or two, which may still hold more of what came
      // before the flood than of the flood: it is named again at each tick while it is opening.
      a.verdictPending = incident.attackSubtype === 'no_detail' || ctx.fast === true;
      active = a;
      return { type: 'incident.opened', at: ctx.wall, incident: snapshot(a) };
    },

    tick(ctx) {
      const a = active;
      if (!a) return [];
      const inc = a.incident;
      const hits = crossedThresholds(a.thresholds, ctx.rates);
      const newThreshold = recordHits(a, hits);
      inc.peakPps = Math.max(inc.peakPps, ctx.rates.pps);
      inc.peakBps = Math.max(inc.peakBps, ctx.rates.bps);
      inc.peakRatio = Math.max(inc.peakRatio, overshoot(a.thresholds, ctx.rates));
      const severity = severityFor(inc.peakRatio, cfg.severity);
      inc.severity = severity;

      // A fast open comes before the one-second window has filled: for one window after the open,
      // low window rates are the flood still arriving, not its end.
      const opening = ctx.mono < a.openingUntilMono;
      const r = ctx.recent;
      const burstHolds = r !== undefined && !belowResolveLevel(a.thresholds.filter((t) => t.name === 'pps' || t.name === 'bps'), { ...ctx.rates, pps: r.pps, bps: r.bps }, cfg.hysteresis.resolveRatio);
      const below = belowResolveLevel(a.thresholds, ctx.rates, cfg.hysteresis.resolveRatio) && !opening && !burstHolds;
      if (!below && ctx.tick) {
        // Only attack-time traffic goes into the verdict; the quiet tail of a cooldown would dilute it.
        addTick(a.detail, ctx.tick);
        a.seconds += ctx.tick.durationMs / 1000;
      }
      if (below) a.belowSince ??= { mono: ctx.mono, wall: ctx.wall };
      else a.belowSince = undefined;

      if (a.belowSince && ctx.mono - a.belowSince.mono >= cfg.hysteresis.cooldownMs) {
        inc.status = 'resolved';
        // After a source clock stepped back, wall time may sit before the start: clamp.
        inc.endedAt = Math.max(inc.startedAt, a.belowSince.wall);
        inc.resolvedAt = Math.max(inc.endedAt, ctx.wall);
        reclassify(a);
        active = undefined;
        return [{ type: 'incident.resolved', at: ctx.wall, incident: snapshot(a) }];
      }

      const reasons: UpdateReason[] = [];
      if (SEVERITY_RANK[severity] > SEVERITY_RANK[a.reported.severity]) reasons.push('escalated');
      const g = cfg.reporting.peakGrowthRatio;
      if (inc.peakPps >= a.reported.pps * g || inc.peakBps >= a.reported.bps * g) reasons.push('peak');
      if (newThreshold) reasons.push('threshold');
      if (a.verdictPending && ctx.tick) {
        if (reclassify(a)) reasons.push('reclassified');
        // Only fast opens have an opening window: named again at every tick of it.
        a.verdictPending = opening;
      }
      if (ctx.mono - a.lastUpdateMono >= cfg.reporting.updateIntervalMs) reasons.push('periodic');
      if (reasons.length === 0) return [];
      if (!reasons.includes('reclassified') && reclassify(a)) reasons.push('reclassified');
      a.lastUpdateMono = ctx.mono;
      a.reported = { pps: inc.peakPps, bps: inc.peakBps, severity };
      return [{ type: 'incident.updated', at: ctx.wall, reasons, incident: snapshot(a) }];
    },
  };
}
