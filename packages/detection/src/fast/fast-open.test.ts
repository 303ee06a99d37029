// Fast open on simulated time: counter samples every ~10 ms (as the agent reads them) and 100 ms
// detail ticks, floods at 1.2x..5x the threshold starting at any phase, and the recorded bursty
// benign trace (benign-bursts.trace, made by bench/detect-latency/benign-traffic.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { CounterSample } from '@breakwater/contracts';
import { createDetectionEngine } from '../engine.ts';
import type { DetectionEvent } from '../incident/events.ts';
import { makeTick, NORMAL_WEB, type Mix } from '../testing/tick-factory.ts';
import { drive, opened } from '../testing/counter-drive.ts';

const T0 = Date.UTC(2026, 10, 2, 12);
const THRESHOLD = 20_000;
const CONFIG = { thresholds: { pps: THRESHOLD }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } };
const FLOOD: Mix = { pps: 0, size: 106, udp: 1, dstPorts: { 7777: 1 }, sources: 1, ttls: [64] };

/** First packet → incident opened, for a flood at k x the threshold on top of `background` pps. */
function latency(k: number, phase: number, background: number, sampleMs?: () => number): number {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000 + phase;
  const events = drive(engine, T0, T0 + 3000, (t) => background + (t >= start ? k * THRESHOLD : 0), FLOOD, sampleMs);
  const first = opened(events)[0];
  assert.ok(first, `a flood at ${k}x opened nothing`);
  return first.at - start;
}

// Bounds on the engine's own time (the agent then adds the read's lag and the post to the server):
// the issue's 200 ms at >= 1.5x and 300 ms at >= 1.2x with room to spare.
const BOUNDS = [
  { k: 5, ms: 30 },
  { k: 2, ms: 70 },
  { k: 1.5, ms: 160 },
  { k: 1.2, ms: 210 },
];

for (const { k, ms } of BOUNDS) {
  void test(`a flood at ${k}x the threshold opens within ${ms} ms of its first packet, at any phase and background`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 8000 }), (phase, background) => {
        const l = latency(k, phase, background);
        assert.ok(l <= ms, `${k}x at phase ${phase} ms over ${background} pps: opened after ${l} ms`);
      }),
      { numRuns: 25, seed: 19 },
    );
  });
}

void test('with jittery reads (8-14 ms apart) the bounds still hold', () => {
  let s = 7;
  const jitter = () => 8 + ((s = (s * 1103515245 + 12345) % 2147483648) % 7);
  for (const { k, ms } of BOUNDS) assert.ok(latency(k, 37, 2000, jitter) <= ms + 14, `${k}x`);
});

void test('a burst shorter than a rung needs never opens, however intense; one that lasts does', () => {
  const burst = (k: number, ms: number) => {
    const engine = createDetectionEngine(CONFIG);
    const at = T0 + 2000;
    return opened(drive(engine, T0, T0 + 3500, (t) => 1000 + (t >= at && t < at + ms ? k * THRESHOLD : 0), FLOOD)).length;
  };
  assert.equal(burst(20, 9), 0, 'one 10 ms sample at 20x: 3,600 packets, one window');
  assert.equal(burst(4, 14), 0, '4x for 14 ms');
  assert.equal(burst(2.5, 50), 0, '2.5x for 50 ms');
  assert.equal(burst(1.6, 120), 0, '1.6x for 120 ms');
  assert.equal(burst(1.3, 120), 0, '1.3x for 120 ms');
  assert.equal(burst(1.3, 400), 1, '1.3x for 400 ms is a flood');
  assert.equal(burst(4, 60), 1, '4x for 60 ms is a flood');
});

/** The recorded benign trace: "duration_ms packets bytes" per sample. */
function benignSamples(): CounterSample[] {
  const lines = readFileSync(new URL('./benign-bursts.trace', import.meta.url), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  let t = T0;
  return lines.map((l) => {
    const [d, p, b] = l.split(' ').map(Number) as [number, number, number];
    const s = { ts: t, durationMs: d, packets: p, bytes: b };
    t += d;
    return s;
  });
}

void test('the recorded bursty benign trace opens nothing, though its short windows go well above the threshold', () => {
  const samples = benignSamples();
  assert.ok(samples.length > 1500, 'the fixture holds ~30 s of samples');
  // How bursty it is: the highest rate over 20 ms and over 1 s.
  const rateOver = (ms: number) => {
    let best = 0;
    for (let i = 0; i < samples.length; i++) {
      let p = 0;
      let d = 0;
      for (let j = i; j < samples.length && d < ms; j++) {
        p += samples[j]!.packets;
        d += samples[j]!.durationMs;
      }
      if (d >= ms) best = Math.max(best, (p * 1000) / d);
    }
    return best;
  };
  assert.ok(rateOver(20) > 1.5 * THRESHOLD, `20 ms peaks ${Math.round(rateOver(20))} pps`);
  assert.ok(rateOver(1000) < THRESHOLD, `1 s peak ${Math.round(rateOver(1000))} pps`);

  const engine = createDetectionEngine(CONFIG);
  const events: DetectionEvent[] = [];
  let tick = { start: T0, packets: 0, bytes: 0 };
  for (const s of samples) {
    events.push(...engine.ingestCounters(s));
    tick.packets += s.packets;
    tick.bytes += s.bytes;
    const end = s.ts + s.durationMs;
    if (end - tick.start >= 100) {
      const t = makeTick(tick.start, { ...NORMAL_WEB, size: 1500, tcp: 1, pps: (tick.packets * 1000) / (end - tick.start) }, end - tick.start);
      events.push(...engine.ingest(t));
      tick = { start: end, packets: 0, bytes: 0 };
    }
  }
  assert.deepEqual(events.filter((e) => e.type === 'incident.opened').map((e) => e.type), []);
});

void test('a fast open is classified from the next tick, never starts its cooldown while the window fills, and resolves after the flood', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000;
  // No traffic before: the opening window holds no packet detail, so the open says no_detail.
  const events = drive(engine, T0, T0 + 7000, (t) => (t >= start && t < start + 1500 ? 5 * THRESHOLD : 0), FLOOD);
  const kinds = events.map((x) => x.e);
  const open = kinds.find((e) => e.type === 'incident.opened');
  assert.ok(open && open.type === 'incident.opened');
  assert.equal(open.incident.threshold.name, 'pps');
  assert.equal(open.incident.attackSubtype, 'no_detail');
  const reclassified = kinds.find((e) => e.type === 'incident.updated' && e.reasons.includes('reclassified'));
  assert.ok(reclassified && reclassified.type === 'incident.updated', 'the verdict follows on the next tick');
  assert.equal(reclassified.incident.attackFamily, 'udp_flood');
  const resolved = kinds.filter((e) => e.type === 'incident.resolved');
  assert.equal(resolved.length, 1, 'one flood, one incident, resolved');
  assert.equal(kinds.filter((e) => e.type === 'incident.opened').length, 1);
  assert.ok(resolved[0]!.incident.endedAt! >= start + 1400, 'it ended when the flood did, not while the window was filling');
});

void test('bad counter samples are ignored, never thrown on', () => {
  const engine = createDetectionEngine(CONFIG);
  for (const bad of [{ ts: NaN, durationMs: 10, packets: 1, bytes: 1 }, { ts: T0, durationMs: -5, packets: 1e9, bytes: 1 }, { ts: T0, durationMs: 10, packets: -3, bytes: Infinity }, null, {}]) {
    assert.deepEqual(engine.ingestCounters(bad as unknown as CounterSample), []);
  }
  assert.equal(engine.activeIncident(), undefined);
});

void test('fastOpen.enabled false leaves only the one-second window', () => {
  const engine = createDetectionEngine({ ...CONFIG, fastOpen: { enabled: false } });
  const start = T0 + 2000;
  const first = opened(drive(engine, T0, T0 + 3000, (t) => (t >= start ? 5 * THRESHOLD : 0), FLOOD))[0];
  assert.ok(first && first.at - start >= 190, `opened after ${first ? first.at - start : '-'} ms: at a tick of the 1 s window`);
});

void test('a pulsing flood whose one-second average stays below the resolve level is one incident, not one per pulse', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000;
  const stop = start + 8 * 1250;
  // 250 ms at 2x, then 1 s at 0.1x: every one-second window is below 0.7x, every pulse opens a rung.
  const rate = (t: number) => (t >= start && t < stop && (t - start) % 1250 < 250 ? 2 * THRESHOLD : 0.1 * THRESHOLD);
  const events = drive(engine, T0, stop + 5000, rate, FLOOD).map((x) => x.e);
  assert.equal(events.filter((e) => e.type === 'incident.opened').length, 1);
  const resolved = events.filter((e) => e.type === 'incident.resolved');
  assert.equal(resolved.length, 1, 'resolved once the pulses stopped');
  assert.ok(resolved[0]!.incident.endedAt! >= stop - 1250, 'it lasted through the last pulse');
});

void test('a fast open is never classified by the traffic before the flood: ICMP background, then a UDP flood, is udp_flood', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000;
  const PINGS: Mix = { pps: 0, size: 98, icmp: 1, sources: 4, ttls: [64] };
  // 8 kpps of pings (under the ICMP threshold, 10 kpps) for two seconds, then a 5x UDP flood for 1.5 s.
  const events = drive(engine, T0, T0 + 7000, (t) => (t >= start && t < start + 1500 ? 5 * THRESHOLD : 8000), (t) => (t >= start ? FLOOD : PINGS));
  assert.equal(opened(events).length, 1, 'one incident');
  const verdicts = events.flatMap((x) => ('incident' in x.e ? [{ at: x.at, family: x.e.incident.attackFamily, type: x.e.type }] : []));
  assert.ok(!verdicts.some((v) => v.family === 'icmp_flood'), `never icmp_flood: ${verdicts.map((v) => `${v.type} ${v.family}`).join(', ')}`);
  assert.equal(verdicts.at(-1)?.type, 'incident.resolved');
  assert.equal(verdicts.at(-1)?.family, 'udp_flood');
  const named = verdicts.find((v) => v.family !== 'unknown');
  assert.ok(named && named.at - start <= 250, `the verdict follows within a couple of ticks of the open (${named ? named.at - start : 'never'} ms)`);
});

void test('a fast open is named from the flood, not from unlearned traffic just before it: 300 ms of pings, then a UDP flood, opens as udp_flood or unknown and is udp_flood within two ticks', () => {
  const engine = createDetectionEngine(CONFIG);
  const start = T0 + 2000;
  const PINGS: Mix = { pps: 0, size: 98, icmp: 1, sources: 4, ttls: [64] };
  // Nothing for two seconds (nothing learned), 300 ms of 9 kpps pings (under the ICMP threshold), then a 5x UDP flood.
  const rate = (t: number) => (t >= start && t < start + 1500 ? 5 * THRESHOLD : t >= start - 300 && t < start ? 9000 : 0);
  const events = drive(engine, T0, T0 + 7000, rate, (t) => (t >= start ? FLOOD : PINGS));
  assert.equal(opened(events).length, 1, 'one incident');
  const verdicts = events.flatMap((x) => ('incident' in x.e ? [{ at: x.at, family: x.e.incident.attackFamily, type: x.e.type }] : []));
  const trail = verdicts.map((v) => `${v.type} ${v.family} @${v.at - start}`).join(', ');
  assert.ok(['udp_flood', 'unknown'].includes(verdicts[0]!.family), `opened as ${verdicts[0]!.family}: ${trail}`);
  assert.ok(!verdicts.some((v) => v.family === 'icmp_flood'), `never icmp_flood: ${trail}`);
  const named = verdicts.find((v) => v.family === 'udp_flood');
  assert.ok(named && named.at - start <= 250, `udp_flood within a couple of ticks of the flood's start: ${trail}`);
  assert.equal(verdicts.at(-1)?.family, 'udp_flood');
});
