// Everything a source reports is untrusted: a buggy decoder or a hostile collector peer must not be
// able to crash the engine or poison its sums with NaN, Infinity or negative counts. Whatever is
// not a sane value becomes zero / empty, and sizes are capped.
import type { Counter, HeavyHitter, TcpFlagCounts, TickStats } from '@breakwater/contracts';

const MAX_LIST = 1000;
const MAX_KEYS = 1000;

/** Far above any link (10^12 packets in one tick) yet far from overflow when scaled and summed. */
const MAX_COUNT = 1e12;
const MAX_SAMPLE_RATE = 1e6;

export const count = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? Math.min(x, MAX_COUNT) : 0);

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const counter = (x: unknown): Counter => {
  const r = isRecord(x) ? x : {};
  return { packets: count(r.packets), bytes: count(r.bytes) };
};

const histogram = (x: unknown, length: number): number[] => {
  const out = new Array<number>(length).fill(0);
  if (Array.isArray(x)) for (let i = 0; i < Math.min(length, x.length); i++) out[i] = count(x[i]);
  return out;
};

function hitters<K>(x: unknown, validKey: (k: unknown) => k is K): HeavyHitter<K>[] {
  if (!Array.isArray(x)) return [];
  const out: HeavyHitter<K>[] = [];
  for (const e of x.slice(0, MAX_LIST)) {
    if (!isRecord(e) || !validKey(e.key)) continue;
    out.push({ key: e.key, packets: count(e.packets), bytes: count(e.bytes) });
  }
  return out;
}

const isPort = (k: unknown): k is number => typeof k === 'number' && Number.isInteger(k) && k >= 0 && k <= 65535;
const isSource = (k: unknown): k is string => typeof k === 'string' && k.length > 0 && k.length <= 64;

const countsByKey = (x: unknown): Record<string, number> => {
  const out: Record<string, number> = {};
  if (!isRecord(x)) return out;
  for (const [k, v] of Object.entries(x).slice(0, MAX_KEYS)) if (k.length <= 128 && count(v) > 0) out[k] = count(v);
  return out;
};

const FLAGS: (keyof TcpFlagCounts)[] = ['syn', 'synAck', 'ack', 'rst', 'fin', 'psh', 'urg', 'xmas', 'null'];

/**
 * Returns a TickStats whose every number is finite and >= 0. `fallbackTs` stands in for a missing
 * or non-finite timestamp; a missing or non-positive duration becomes `defaultDurationMs`.
 */
export function sanitizeTick(input: unknown, fallbackTs: number, defaultDurationMs = 100): TickStats {
  const t = isRecord(input) ? input : {};
  const p = isRecord(t.byProtocol) ? t.byProtocol : {};
  const flagsIn = isRecord(t.tcpFlags) ? t.tcpFlags : {};
  const tcpFlags = Object.fromEntries(FLAGS.map((f) => [f, count(flagsIn[f])])) as unknown as TcpFlagCounts;
  const decoded = counter(t.decoded);
  const total = counter(t.total);
  const sampleRate = count(t.sampleRate) >= 1 ? Math.min(count(t.sampleRate), MAX_SAMPLE_RATE) : 1;
  // Offline analysis or a collector may leave totals at zero while reporting detail.
  if (total.packets < decoded.packets * sampleRate) {
    total.packets = decoded.packets * sampleRate;
    total.bytes = Math.max(total.bytes, decoded.bytes * sampleRate);
  }
  // Beyond year 2286 adding a 100 ms duration no longer changes a double: such a clock is broken.
  const ts = typeof t.ts === 'number' && Math.abs(t.ts) <= 1e13 ? t.ts : fallbackTs;
  // Sub-millisecond ticks are nonsense from a broken source, and would make time crawl.
  const duration = count(t.durationMs) >= 1 ? Math.min(count(t.durationMs), 3_600_000) : defaultDurationMs;
  return {
    ts,
    durationMs: duration,
    total,
    sampleRate,
    decoded,
    byProtocol: {
      tcp: counter(p.tcp),
      udp: counter(p.udp),
      icmp: counter(p.icmp),
      gre: counter(p.gre),
      other: counter(p.other),
    },
    ipv6: counter(t.ipv6),
    tcpFlags,
    fragments: counter(t.fragments),
    sizeHistogram: histogram(t.sizeHistogram, 7),
    ttlHistogram: histogram(t.ttlHistogram, 256),
    topSources: hitters(t.topSources, isSource),
    topDstPorts: hitters(t.topDstPorts, isPort),
    topSrcPorts: hitters(t.topSrcPorts, isPort),
    distinctSources: count(t.distinctSources),
    countries: countsByKey(t.countries),
    iocMatches: countsByKey(t.iocMatches),
    decodeErrors: count(t.decodeErrors),
  };
}

/**
 * Factor from decoded detail to real traffic. Kernel totals against decoded packets also correct
 * for capture drops, which a nominal sample rate would hide; without detail, the sample rate.
 */
export function detailScale(t: TickStats): number {
  // Less than one decoded packet is no detail at all (a denormal count would make the factor
  // Infinity and every scaled share NaN); the factor is capped like every count.
  if (t.decoded.packets >= 1) return Math.min(MAX_COUNT, Math.max(1, t.total.packets / t.decoded.packets));
  return t.sampleRate;
}
