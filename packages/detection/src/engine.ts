// The detection engine for one target (a node, or one protected host of a collector): ticks in,
// events out. Pure: no I/O, no timers, no clock of its own — time is what the ticks say, and
// `advance(now)` lets the caller move time on when its source goes quiet.
import type { CounterSample, TickStats } from '@breakwater/contracts';
import type { DetectionConfig, DetectionConfigInput } from './config/schema.ts';
import { parseConfig } from './config/validate.ts';
import { configForTarget } from './config/overrides.ts';
import { createHourlyBaseline, type BaselineLevels, type BaselineState } from './baseline/hourly-baseline.ts';
import { createVectorNormals } from './baseline/vector-normals.ts';
import { classify } from './classify/classify.ts';
import { extractVectors } from './classify/vectors.ts';
import { crossedThresholds, effectiveThresholds, isElevated, type EffectiveThreshold } from './thresholds/thresholds.ts';
import { createIncidentLifecycle } from './incident/lifecycle.ts';
import type { DetectionEvent, NodeState } from './incident/events.ts';
import type { Incident } from './incident/incident.ts';
import { sanitizeTick } from './window/sanitize-tick.ts';
import { createSlidingWindow, type WindowRates } from './window/sliding-window.ts';
import { createFastOpen } from './fast/fast-open.ts';
import { sanitizeCounterSample } from './fast/sanitize-sample.ts';
import { BULK_MAX_WAIT_MS, BULK_MIN_FRAME_BYTES, judgeTransfer } from './fast/bulk-transfer.ts';

export interface EngineDeps {
  /** The destination this engine watches; selects per-host overrides. */
  target?: string;
  /** A baseline saved earlier with exportBaseline(), so a restart needs no new warm-up. */
  baselineState?: BaselineState;
  /** Prefix of engine-local incident ids. */
  idPrefix?: string;
}

export interface EngineStatus {
  state: NodeState;
  /** End of the window, ms since the epoch (time as the ticks tell it). */
  at: number;
  rates: WindowRates;
  /** 0..1: how much of the window ticks cover (below 1 after a gap or at start). */
  coverage: number;
  thresholds: EffectiveThreshold[];
  baseline: BaselineLevels & { learnedSamples: number };
  incident: Incident | undefined;
  droppedTicks: number;
}

export interface DetectionEngine {
  /** Feeds one tick and returns what happened. Untrusted input is fine: bad fields are zeroed. */
  ingest(tick: TickStats): DetectionEvent[];
  /**
   * Feeds exact totals read more often than ticks come (the agent's counters every ~10 ms) to the
   * fast-open rungs. Only these samples do: a tick (100 ms, or a flow export's seconds) is too
   * coarse to tell a sustained flood from a burst inside it, so tick-only sources (collector,
   * offline analysis) open on the one-second window alone.
   */
  ingestCounters(sample: CounterSample): DetectionEvent[];
  /** Moves time to `now` without traffic (the source went quiet); may resolve an incident. */
  advance(now: number): DetectionEvent[];
  status(): EngineStatus;
  activeIncident(): Incident | undefined;
  exportBaseline(): BaselineState;
  readonly config: DetectionConfig;
}

const LEARN_EVERY_MS = 1000;
/** Below this window coverage the rate underestimates traffic, so it is not learned as normal. */
const LEARN_MIN_COVERAGE = 0.9;
/** A jump in time longer than any timer of the engine (cooldown, update interval ≤ 1 h) counts as
 * this much: it keeps the monotonic clock far from where doubles lose milliseconds. */
const MAX_STEP_MS = 10 * 3_600_000;

export function createDetectionEngine(config: DetectionConfigInput | DetectionConfig, deps: EngineDeps = {}): DetectionEngine {
  const cfg = configForTarget(parseConfig(config), deps.target);
  const window = createSlidingWindow({ windowMs: cfg.windowMs });
  const baseline = createHourlyBaseline(cfg.baseline, deps.baselineState);
  const normals = createVectorNormals();
  let seq = 0;
  const lifecycle = createIncidentLifecycle(cfg, {
    classify: (detail, seconds, fired) => classify({ detail, seconds, fired, normal: normals.rates() }, cfg.classification),
    newId: (startedAt) => `${deps.idPrefix ?? ''}${startedAt}-${++seq}`,
    ...(deps.target !== undefined ? { target: deps.target } : {}),
  });

  // Monotonic engine time: sums of forward steps, so a source clock stepping back cannot stall a
  // cooldown. Wall time (tick timestamps) is only reported.
  let mono = 0;
  let nextLearnMono = LEARN_EVERY_MS;
  let aboveTicks = 0;
  let state: NodeState = 'normal';
  let dropped = 0;
  let lastTickMs = 100;
  const fast = createFastOpen(cfg.fastOpen);
  /** A bulk-sized fast hit held back (fast/bulk-transfer.ts): when it first fired, and the start of its span. */
  let held: { at: number; from: number } | undefined;

  const stateEvent = (wall: number, levels: BaselineLevels, thresholds: EffectiveThreshold[], rates: WindowRates): DetectionEvent[] => {
    const next: NodeState = lifecycle.isActive() ? 'attack' : isElevated(cfg, levels, thresholds, rates) ? 'elevated' : 'normal';
    if (next === state) return [];
    const e: DetectionEvent = { type: 'state.changed', at: wall, from: state, to: next };
    state = next;
    return [e];
  };

  /** Opens on the fast-open rungs (short windows, confirmed) when the one-second window has not yet. */
  const fastOpen = (wall: number, levels: BaselineLevels, thresholds: EffectiveThreshold[]): DetectionEvent[] => {
    if (lifecycle.isActive()) return [];
    const value = (name: 'pps' | 'bps') => thresholds.find((t) => t.name === name)!;
    const hit = fast.check(value('pps').value, value('bps').value);
    if (!hit) {
      held = undefined;
      return [];
    }
    const spanMs = hit.rung.windowMs * hit.rung.windows;
    const span = fast.recent(spanMs);
    if (span && span.pps > 0 && span.bps / 8 / span.pps >= BULK_MIN_FRAME_BYTES) {
      // Full-size frames: a transfer filling the link looks like this too. Judge by the detail
      // from the start of the first held span (the capture's ticks run behind the counters).
      held ??= { at: wall, from: wall - spanMs };
      const verdict = judgeTransfer(window.detail(held.from), cfg.classification.minDetailPackets);
      if (verdict === 'transfer') return [];
      if (verdict === 'no_detail' && wall - held.at < BULK_MAX_WAIT_MS) return [];
    }
    held = undefined;
    const rates = { ...window.rates() };
    rates[hit.name] = Math.max(rates[hit.name], hit.observed);
    const hits = [{ name: hit.name, value: hit.value, observed: hit.observed, source: value(hit.name).source }];
    aboveTicks = 0;
    // Named from what the ticks hold of the rung's span alone, not from the one-second window:
    // that still holds mostly what came before the flood. Ticks that ended before the span (the
    // capture runs behind the counters) give no detail: the open says no_detail and is named at
    // the next tick.
    return [lifecycle.open({ wall, mono, rates, hits, thresholds, windowDetail: window.detail(wall - spanMs), detailSeconds: spanMs / 1000, levels, fast: true })];
  };

  const evaluate = (tick: TickStats | undefined): DetectionEvent[] => {
    const wall = window.end();
    const rates = window.rates();
    const levels = baseline.levels(wall);
    const thresholds = effectiveThresholds(cfg, levels);
    const events: DetectionEvent[] = [];
    const hits = crossedThresholds(thresholds, rates);
    if (lifecycle.isActive()) {
      const recent = fast.recent(100);
      events.push(...lifecycle.tick({ wall, mono, rates, tick, ...(recent ? { recent } : {}) }));
    } else {
      aboveTicks = hits.length > 0 ? aboveTicks + 1 : 0;
      if (aboveTicks >= cfg.hysteresis.openAfterTicks) {
        events.push(lifecycle.open({ wall, mono, rates, hits, thresholds, windowDetail: window.detail(), levels }));
        aboveTicks = 0;
      }
    }
    if (tick && mono >= nextLearnMono) {
      nextLearnMono = mono + LEARN_EVERY_MS;
      // Never learn attack traffic: not during an incident (cooldown included), not above a threshold.
      if (!lifecycle.isActive() && hits.length === 0 && window.coverage() >= LEARN_MIN_COVERAGE) {
        baseline.learn(wall, rates.pps, rates.bps);
        normals.learn(extractVectors(window.detail(), cfg.classification), cfg.windowMs / 1000);
      }
    }
    events.push(...stateEvent(wall, levels, thresholds, rates));
    return events;
  };

  return {
    config: cfg,
    ingest(raw) {
      const prevEnd = window.end();
      const tick = sanitizeTick(raw, Number.isFinite(prevEnd) ? prevEnd : 0, lastTickMs);
      const pushed = window.push(tick);
      if (pushed === 'dropped') {
        dropped++;
        return [];
      }
      lastTickMs = tick.durationMs;
      if (pushed === 'reset') {
        fast.reset();
        held = undefined;
      }
      mono += pushed === 'reset' || !Number.isFinite(prevEnd) ? tick.durationMs : Math.min(MAX_STEP_MS, Math.max(0, window.end() - prevEnd));
      return evaluate(tick);
    },
    ingestCounters(raw) {
      const sample = sanitizeCounterSample(raw);
      if (!sample) return [];
      fast.push(sample);
      if (lifecycle.isActive()) return [];
      const wall = sample.ts + sample.durationMs;
      const levels = baseline.levels(wall);
      const thresholds = effectiveThresholds(cfg, levels);
      const events = fastOpen(wall, levels, thresholds);
      return events.length > 0 ? [...events, ...stateEvent(wall, levels, thresholds, window.rates())] : [];
    },
    advance(now) {
      const events: DetectionEvent[] = [];
      if (!(Math.abs(now) <= 1e13)) return events;
      // Step tick by tick so the window drains and the cooldown runs as if empty ticks had come;
      // past what any decision needs, jump.
      const step = Math.max(lastTickMs, 10);
      const maxSteps = Math.min(100_000, Math.ceil((cfg.windowMs + cfg.hysteresis.cooldownMs + cfg.reporting.updateIntervalMs) / step) + 2);
      for (let i = 0; i < maxSteps && window.end() < now; i++) {
        const prevEnd = window.end();
        const to = Number.isFinite(prevEnd) ? Math.min(now, prevEnd + step) : now;
        window.advance(to);
        mono += Number.isFinite(prevEnd) ? to - prevEnd : 0;
        events.push(...evaluate(undefined));
      }
      if (window.end() < now) {
        const prevEnd = window.end();
        window.advance(now);
        mono += Math.min(MAX_STEP_MS, now - prevEnd);
        events.push(...evaluate(undefined));
      }
      return events;
    },
    status() {
      const at = window.end();
      const levels = baseline.levels(at);
      return {
        state,
        at,
        rates: window.rates(),
        coverage: window.coverage(),
        thresholds: effectiveThresholds(cfg, levels),
        baseline: { ...levels, learnedSamples: baseline.learnedSamples() },
        incident: lifecycle.current(),
        droppedTicks: dropped,
      };
    },
    activeIncident: () => lifecycle.current(),
    exportBaseline: () => baseline.exportState(),
  };
}
