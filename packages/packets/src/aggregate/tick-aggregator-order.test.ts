// The aggregator counts sources and ports in batches, for speed. Space-Saving's answer
// depends on the order packets arrive in, so the batched aggregator must report exactly
// what the sketches give when fed one packet at a time, in capture order, tick by tick,
// however ticks and batches interleave (thousands of frames: many batches per tick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TickStats } from '@breakwater/contracts';
import { hashKey, readSourceKey } from './address-key.ts';
import { decodePacket } from '../decode/decode-packet.ts';
import { DecodedPacket } from '../decode/decoded-packet.ts';
import { formatIp } from '../decode/format-address.ts';
import { HyperLogLog } from './hyperloglog.ts';
import { Linktype } from '../capture-file/linktype.ts';
import { ipv4, ipv6, tcp, udp } from '../testing/packet-builder.ts';
import { PortCounter } from './port-counter.ts';
import { SpaceSaving } from './space-saving.ts';
import { TickAggregator } from './tick-aggregator.ts';

const T0 = 1_700_000_000_000;
const TICK_MS = 10;
const CAPACITY = 32;
const TOP_N = 12;

interface Item {
  dt: number;
  src: number;
  v6: boolean;
  udp: boolean;
  sport: number;
  dport: number;
  size: number;
}

function frame(it: Item): Uint8Array {
  const body = new Uint8Array(it.size);
  const payload = it.udp ? udp(it.sport, it.dport, body) : tcp({ srcPort: it.sport, dstPort: it.dport, flags: 2, payload: body });
  const protocol = it.udp ? 17 : 6;
  if (it.v6) return ipv6({ src: `2001:db8::${it.src.toString(16)}`, dst: '2001:db8::1', protocol, payload });
  return ipv4({ src: `10.${(it.src >> 16) & 0xff}.${(it.src >> 8) & 0xff}.${it.src & 0xff}`, dst: '192.0.2.1', protocol, payload });
}

/** One tick's detail from the sketches fed packet by packet. */
interface Expected {
  topSources: { key: string; packets: number; bytes: number }[];
  distinctSources: number;
  topDstPorts: { key: number; packets: number; bytes: number }[];
  topSrcPorts: { key: number; packets: number; bytes: number }[];
  countries: Record<string, number>;
}

function expected(frames: { ts: number; data: Uint8Array }[]): Map<number, Expected> {
  const out = new Map<number, Expected>();
  const p = new DecodedPacket();
  const key = new Uint32Array(4);
  let open = Number.NaN;
  let ss = new SpaceSaving(CAPACITY);
  let hll = new HyperLogLog(12);
  let dst = new PortCounter();
  let src = new PortCounter();
  let countries: Record<string, number> = {};
  const close = (): void => {
    if (Number.isNaN(open)) return;
    out.set(open, {
      topSources: ss.top(TOP_N).map(({ key: k, packets, bytes }) => ({ key: k, packets, bytes })),
      distinctSources: ss.size === 0 ? 0 : hll.estimate(),
      topDstPorts: dst.top(TOP_N),
      topSrcPorts: src.top(TOP_N),
      countries,
    });
    ss = new SpaceSaving(CAPACITY);
    hll = new HyperLogLog(12);
    dst = new PortCounter();
    src = new PortCounter();
    countries = {};
  };
  for (const f of frames) {
    const start = Math.floor(f.ts / TICK_MS) * TICK_MS;
    if (Number.isNaN(open) || start >= open + TICK_MS) {
      close();
      open = start;
    }
    decodePacket(Linktype.raw, f.data, 0, f.data.length, p);
    const l = p.ip;
    dst.add(l.dstPort, f.data.length);
    src.add(l.srcPort, f.data.length);
    readSourceKey(l, f.data, key);
    const h = hashKey(key[0]!, key[1]!, key[2]!, key[3]!);
    hll.add(h);
    ss.add(key[0]!, key[1]!, key[2]!, key[3]!, h, f.data.length);
    const country = geo(formatIp(f.data, l.srcOffset, l.version));
    countries[country] = (countries[country] ?? 0) + 1;
  }
  close();
  return out;
}

/** A lookup that depends on the whole address, so a mixed-up source shows. */
const geo = (ip: string): string => ['NL', 'DE', 'FR', 'US'][[...ip].reduce((s, ch) => s + ch.charCodeAt(0), 0) % 4]!;

/** xorshift32: thousands of frames per case, cheaper to draw than through arbitraries. */
function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function items(seed: number, count: number, jumpEvery: number, heavyShare: number): Item[] {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  return Array.from({ length: count }, () => ({
    // Mostly small steps (hundreds of frames per tick, several batches), now and then a
    // jump over one or more ticks, so ticks close with half-full batches.
    dt: int(jumpEvery) === 0 ? int(4 * TICK_MS) : r() * 0.03,
    // A few busy sources over a long tail, so Space-Saving keeps evicting.
    src: r() < heavyShare ? int(6) : int(50_000),
    v6: r() < 0.3,
    udp: r() < 0.5,
    sport: r() < 0.3 ? 53 : int(65536),
    dport: r() < 0.5 ? 80 : int(65536),
    size: int(300),
  }));
}

void test('batched counting reports what packet-at-a-time counting gives, across ticks and batches', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 50, max: 3000 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (seed, count, jumpEvery, heavyShare) => {
      let ts = T0;
      const frames = items(seed, count, jumpEvery, heavyShare).map((it) => {
        ts += it.dt;
        return { ts, data: frame(it) };
      });
      const ticks: TickStats[] = [];
      // Every lookup is made (budget above the frame count), so countries are exact too.
      const agg = new TickAggregator(
        { tickMs: TICK_MS, topN: TOP_N, heavyHitterCapacity: CAPACITY, geoLookupsPerTick: 10_000 },
        { onTick: (t) => ticks.push(t), geo },
      );
      for (const f of frames) agg.addFrame(f.ts, Linktype.raw, f.data, 0, f.data.length, f.data.length);
      agg.flush();
      const want = expected(frames);
      const busy = ticks.filter((t) => t.decoded.packets > 0);
      assert.equal(busy.length, want.size);
      for (const t of busy) {
        const e = want.get(t.ts);
        assert.ok(e !== undefined, `tick ${t.ts - T0} not expected`);
        assert.deepEqual(
          { topSources: t.topSources, distinctSources: t.distinctSources, topDstPorts: t.topDstPorts, topSrcPorts: t.topSrcPorts, countries: t.countries },
          e,
          `tick ${t.ts - T0}`,
        );
      }
    }),
    { numRuns: 25 },
  );
});
