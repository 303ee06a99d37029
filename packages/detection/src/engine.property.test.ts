import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TickStats } from '@breakwater/contracts';
import { createDetectionEngine } from './engine.ts';
import type { DetectionEvent } from './incident/events.ts';
import { toAgentIncident } from './incident/agent-payload.ts';
import { recommendMitigation } from './mitigation/recommend.ts';
import { makeTick, NORMAL_WEB, type Mix } from './testing/tick-factory.ts';

const T0 = Date.UTC(2026, 10, 2, 12);
const CONFIG = { thresholds: { pps: 10_000 }, hysteresis: { cooldownMs: 2000 }, baseline: { warmupSamples: 5, minBucketSamples: 5 } };

const junk = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, 1e300),
  fc.string(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.anything(), { maxLength: 5 }),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 4 }),
);
const counter = fc.oneof(fc.record({ packets: junk, bytes: junk }), junk);
const hitter = fc.record({ key: fc.oneof(fc.string(), fc.integer({ min: -5, max: 70_000 }), junk), packets: junk, bytes: junk });
const tickLike = fc.oneof(
  fc.anything(),
  fc.record(
    {
      ts: fc.oneof(fc.integer({ min: T0 - 10_000, max: T0 + 100_000 }), junk),
      durationMs: fc.oneof(fc.constantFrom(100, 1, 5000), junk),
      total: counter,
      sampleRate: junk,
      decoded: counter,
      byProtocol: fc.oneof(fc.record({ tcp: counter, udp: counter, icmp: counter, gre: counter, other: counter }), junk),
      ipv6: counter,
      tcpFlags: fc.oneof(fc.dictionary(fc.constantFrom('syn', 'ack', 'psh', 'rst', 'xmas'), junk), junk),
      fragments: counter,
      sizeHistogram: fc.oneof(fc.array(junk, { maxLength: 10 }), junk),
      ttlHistogram: fc.oneof(fc.array(fc.oneof(fc.nat(), junk), { maxLength: 300 }), junk),
      topSources: fc.oneof(fc.array(hitter, { maxLength: 5 }), junk),
      topDstPorts: fc.oneof(fc.array(hitter, { maxLength: 5 }), junk),
      topSrcPorts: fc.oneof(fc.array(hitter, { maxLength: 5 }), junk),
      distinctSources: junk,
      countries: fc.oneof(fc.dictionary(fc.string(), junk, { maxKeys: 3 }), junk),
      iocMatches: fc.oneof(fc.dictionary(fc.string(), junk, { maxKeys: 3 }), junk),
      decodeErrors: junk,
    },
    { requiredKeys: [] },
  ),
);

const finiteIncident = (e: DetectionEvent) => {
  if (e.type === 'state.changed') return;
  const i = e.incident;
  for (const x of [i.peakPps, i.peakBps, i.peakRatio, i.startedAt, i.confidence]) assert.ok(Number.isFinite(x), `non-finite in ${e.type}`);
  // Everything downstream of an incident must cope with it too.
  JSON.stringify(toAgentIncident(i));
  recommendMitigation(i, { target: '203.0.113.10' });
};

void test('property: the engine never throws on arbitrary TickStats-shaped input', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(tickLike, fc.record({ advance: fc.integer({ min: T0 - 5000, max: T0 + 200_000 }) })), { maxLength: 40 }),
      (inputs) => {
        const engine = createDetectionEngine(CONFIG, { target: '203.0.113.10' });
        for (const input of inputs) {
          const events =
            typeof input === 'object' && input !== null && 'advance' in input && typeof input.advance === 'number'
              ? engine.advance(input.advance)
              : engine.ingest(input as TickStats);
          events.forEach(finiteIncident);
          const s = engine.status();
          assert.ok(Object.values(s.rates).every((v) => Number.isFinite(v) && v >= 0));
        }
      },
    ),
    { numRuns: 300 },
  );
});

const mixes: Mix[] = [
  NORMAL_WEB,
  { pps: 1, udp: 1, srcPorts: { 123: 0.9 }, size: 468 },
  { pps: 1, tcp: 1, flags: { syn: 1 }, size: 60, sources: 5000, ttls: [64] },
  { pps: 1, icmp: 1, udp: 0, size: 84 },
  { pps: 1, udp: 1, fragments: 0.8, size: 1480 },
];
const traffic = fc.array(
  fc.record({
    pps: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 5000, max: 300_000 })),
    mix: fc.constantFrom(...mixes),
    durationMs: fc.constantFrom(100, 100, 100, 50, 250, 1000),
    gapMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 4000 })),
    repeat: fc.integer({ min: 1, max: 30 }),
  }),
  { minLength: 1, maxLength: 25 },
);

interface Segment {
  pps: number;
  mix: Mix;
  durationMs: number;
  gapMs: number;
  repeat: number;
}

function* ticksOf(segments: Segment[]): Generator<TickStats, number> {
  let ts = T0;
  for (const s of segments) {
    ts += s.gapMs;
    for (let i = 0; i < s.repeat; i++) {
      yield makeTick(ts, { ...s.mix, pps: s.pps }, s.durationMs);
      ts += s.durationMs;
    }
  }
  return ts;
}

void test('property: after traffic stops, every incident resolves (opened = resolved, none active)', () => {
  fc.assert(
    fc.property(fc.array(tickLike, { maxLength: 3 }), traffic, fc.boolean(), (garbage, segments, quietByTicks) => {
      const engine = createDetectionEngine(CONFIG);
      // Whatever a broken source sent first must not keep later incidents from resolving.
      const events: DetectionEvent[] = garbage.flatMap((g) => engine.ingest(g as TickStats));
      const gen = ticksOf(segments);
      let r = gen.next();
      while (!r.done) {
        events.push(...engine.ingest(r.value));
        r = gen.next();
      }
      // A garbage tick may have been later than the traffic: quiet starts after both.
      const end = Math.max(r.value, engine.status().at);
      const quietUntil = end + 1000 + 2000 + 200;
      if (quietByTicks) {
        for (let ts = end; ts < quietUntil; ts += 100) events.push(...engine.ingest(makeTick(ts, { ...NORMAL_WEB, pps: 0 })));
      } else {
        events.push(...engine.advance(quietUntil));
      }
      const opened = events.filter((e) => e.type === 'incident.opened').length;
      const resolved = events.filter((e) => e.type === 'incident.resolved');
      assert.equal(engine.activeIncident(), undefined);
      assert.equal(resolved.length, opened);
      for (const e of resolved) assert.ok(e.incident.endedAt !== null && e.incident.endedAt >= e.incident.startedAt);
      assert.notEqual(engine.status().state, 'attack');
    }),
    { numRuns: 150 },
  );
});

void test('property: an incident’s peaks are at least every window observed while it lasts', () => {
  fc.assert(
    fc.property(traffic, (segments) => {
      const engine = createDetectionEngine(CONFIG);
      let open: { peakPps: number; peakBps: number } | undefined;
      let maxPps = 0;
      let maxBps = 0;
      for (const t of ticksOf(segments)) {
        const events = engine.ingest(t);
        const { pps, bps } = engine.status().rates;
        for (const e of events) {
          if (e.type === 'incident.opened') {
            maxPps = 0;
            maxBps = 0;
          }
        }
        const active = engine.activeIncident();
        const closed = events.find((e) => e.type === 'incident.resolved');
        const current = active ?? (closed?.type === 'incident.resolved' ? closed.incident : undefined);
        if (current) {
          maxPps = Math.max(maxPps, pps);
          maxBps = Math.max(maxBps, bps);
          assert.ok(current.peakPps >= maxPps - 1e-6, `peak ${current.peakPps} < window ${maxPps}`);
          assert.ok(current.peakBps >= maxBps - 1e-6);
          // Each event copies the incident as it was: never a peak lower than an earlier one.
          if (open && active) assert.ok(active.peakPps >= open.peakPps);
        }
        open = active;
      }
    }),
    { numRuns: 150 },
  );
});
