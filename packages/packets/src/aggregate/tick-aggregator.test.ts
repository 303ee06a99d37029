import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TickStats } from '@breakwater/contracts';
import { TcpFlag } from '../decode/decoded-packet.ts';
import { Linktype } from '../capture-file/linktype.ts';
import { ascii, ethernet, gre, icmp, ipv4, ipv6, tcp, udp } from '../testing/packet-builder.ts';
import { TickAggregator, type TickAggregatorOptions } from './tick-aggregator.ts';
import type { GeoLookup } from './country-counter.ts';

interface Frame {
  ts: number;
  data: Uint8Array;
  origlen?: number;
}

function run(frames: Frame[], options: TickAggregatorOptions = {}, geo?: GeoLookup): TickStats[] {
  const ticks: TickStats[] = [];
  const agg = new TickAggregator(options, geo === undefined ? { onTick: (t) => ticks.push(t) } : { onTick: (t) => ticks.push(t), geo });
  for (const f of frames) agg.addFrame(f.ts, Linktype.raw, f.data, 0, f.data.length, f.origlen ?? f.data.length);
  agg.flush();
  return ticks;
}

const T0 = 1_700_000_000_000;
const syn = (src: string, dport: number): Uint8Array => ipv4({ src, dst: '10.200.0.5', protocol: 6, ttl: 50, payload: tcp({ srcPort: 40000, dstPort: dport, flags: TcpFlag.syn }) });
const dnsReply = (src: string): Uint8Array => ipv4({ src, dst: '10.200.0.5', protocol: 17, ttl: 120, payload: udp(53, 33333, new Uint8Array(400)) });

void test('one tick: totals, protocols, flags, ports, sources, histograms', () => {
  const frames: Frame[] = [
    { ts: T0 + 1, data: syn('198.18.0.1', 80) },
    { ts: T0 + 2, data: syn('198.18.0.1', 80) },
    { ts: T0 + 3, data: syn('198.18.0.2', 443) },
    { ts: T0 + 4, data: dnsReply('192.0.2.53'), origlen: 1400 },
    { ts: T0 + 5, data: ipv6({ src: '2001:db8::1', dst: '2001:db8::5', protocol: 58, hopLimit: 255, payload: icmp(128, 0) }) },
    { ts: T0 + 6, data: ipv4({ src: '198.18.0.9', dst: '10.200.0.5', protocol: 47, payload: gre({ protocol: 0x0800, payload: syn('1.1.1.1', 22) }) }) },
    { ts: T0 + 7, data: ipv4({ src: '198.18.0.3', dst: '10.200.0.5', protocol: 6, payload: tcp({ srcPort: 1, dstPort: 80, flags: TcpFlag.fin | TcpFlag.psh | TcpFlag.urg }) }) },
    { ts: T0 + 8, data: ipv4({ src: '198.18.0.3', dst: '10.200.0.5', protocol: 17, moreFragments: true, payload: udp(9, 9, new Uint8Array(2000)) }) },
    { ts: T0 + 9, data: Uint8Array.of(0x45, 0, 0) },
  ];
  const [t, ...rest] = run(frames);
  assert.equal(rest.length, 0);
  assert.ok(t);
  assert.equal(t.ts, T0);
  assert.equal(t.durationMs, 100);
  assert.equal(t.total.packets, 9);
  assert.equal(t.total.bytes, frames.reduce((s, f) => s + (f.origlen ?? f.data.length), 0));
  assert.deepEqual(t.decoded, t.total);
  assert.equal(t.sampleRate, 1);
  assert.deepEqual(
    Object.fromEntries(Object.entries(t.byProtocol).map(([k, v]) => [k, v.packets])),
    { tcp: 4, udp: 2, icmp: 1, gre: 1, other: 1 },
  );
  assert.equal(t.ipv6.packets, 1);
  assert.equal(t.fragments.packets, 1);
  assert.equal(t.decodeErrors, 1);
  assert.deepEqual(t.tcpFlags, { syn: 3, synAck: 0, ack: 0, rst: 0, fin: 1, psh: 1, urg: 1, xmas: 1, null: 0 });
  assert.deepEqual(t.topDstPorts.slice(0, 3), [
    { key: 80, packets: 3, bytes: 40 * 3 },
    { key: 9, packets: 1, bytes: 2028 },
    { key: 443, packets: 1, bytes: 40 },
  ]);
  assert.deepEqual(t.topSources[0], { key: '198.18.0.1', packets: 2, bytes: 80 });
  assert.ok(t.topSources.some((s) => s.key === '2001:db8::1'));
  assert.equal(t.distinctSources, 6);
  assert.equal(t.ttlHistogram[50], 3);
  assert.equal(t.ttlHistogram[255], 1);
  assert.equal(t.ttlHistogram.reduce((a, b) => a + b, 0), 8);
  assert.deepEqual(t.sizeHistogram, [7, 0, 0, 0, 0, 1, 1]);
  assert.deepEqual(t.countries, {});
  assert.deepEqual(t.iocMatches, {});
});

void test('ticks align to tickMs, gaps yield empty ticks up to maxGapTicks, reordered frames stay in the open tick', () => {
  const p = syn('198.18.0.1', 80);
  const ticks = run(
    [
      { ts: T0 + 150, data: p },
      { ts: T0 + 199.999, data: p },
      { ts: T0 + 200, data: p },
      { ts: T0 + 120, data: p }, // late: counted in the open tick (200)
      { ts: T0 + 520, data: p },
      { ts: T0 + 100_000, data: p },
    ],
    { maxGapTicks: 5 },
  );
  assert.deepEqual(
    ticks.map((t) => [t.ts - T0, t.total.packets]),
    [
      [100, 2],
      [200, 2],
      [300, 0],
      [400, 0],
      [500, 1],
      [600, 0],
      [700, 0],
      [800, 0],
      [900, 0],
      [1000, 0],
      [100_000, 1],
    ],
  );
  const empty = ticks[2]!;
  assert.deepEqual([empty.topSources, empty.distinctSources, empty.decoded.packets], [[], 0, 0]);
});

void test('advanceTo closes ticks on a quiet link; flush emits the open one', () => {
  const ticks: TickStats[] = [];
  const agg = new TickAggregator({ tickMs: 1000 }, { onTick: (t) => ticks.push(t) });
  agg.advanceTo(T0 + 10);
  agg.advanceTo(T0 + 999);
  assert.equal(ticks.length, 0);
  agg.advanceTo(T0 + 3000);
  assert.deepEqual(ticks.map((t) => t.ts - T0), [0, 1000, 2000]);
  const p = dnsReply('192.0.2.1');
  agg.addFrame(T0 + 3500, Linktype.raw, p, 0, p.length, p.length);
  agg.flush();
  agg.flush();
  assert.deepEqual(ticks.map((t) => [t.ts - T0, t.total.packets]).slice(3), [[3000, 1]]);
});

void test('sampling: totals exact, detail from 1 in N frames and reported with that rate', () => {
  const frames = Array.from({ length: 1000 }, (_, i) => ({ ts: T0 + (i % 100), data: i % 2 === 0 ? syn(`198.18.0.${i % 7}`, 80) : dnsReply('192.0.2.1') }));
  const [t] = run(frames, { sampleRate: 10 });
  assert.ok(t);
  assert.equal(t.total.packets, 1000);
  assert.equal(t.sampleRate, 10);
  assert.equal(t.decoded.packets, 100);
  const byProto = Object.values(t.byProtocol).reduce((s, c) => s + c.packets, 0);
  assert.equal(byProto, 100);
});

void test('countries come from the injected lookup, cached per address, invalid answers become ??', () => {
  const calls: string[] = [];
  const geo: GeoLookup = (ip) => {
    calls.push(ip);
    if (ip.startsWith('198.18.')) return 'nl';
    if (ip === '192.0.2.1') throw new Error('db closed');
    return '<script>';
  };
  const frames = [
    ...Array.from({ length: 5 }, (_, i) => ({ ts: T0 + i, data: syn('198.18.0.1', 80) })),
    { ts: T0 + 10, data: dnsReply('192.0.2.1') },
    { ts: T0 + 11, data: dnsReply('192.0.2.2') },
    { ts: T0 + 12, data: ethernetless() },
  ];
  const [t] = run(frames, {}, geo);
  assert.deepEqual(t?.countries, { NL: 5, '??': 2 });
  assert.deepEqual(calls, ['198.18.0.1', '192.0.2.1', '192.0.2.2']);
});

function ethernetless(): Uint8Array {
  return Uint8Array.of(0x10); // not IP: no source, no country
}

void test('past the per-tick lookup budget, misses are sampled and the country total stays exact', () => {
  let calls = 0;
  const geo: GeoLookup = () => {
    calls++;
    return 'DE';
  };
  const frames = Array.from({ length: 5000 }, (_, i) => ({ ts: T0 + (i % 100) / 2, data: syn(`198.${18 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`, 80) }));
  const [t] = run(frames, { geoLookupsPerTick: 100 }, geo);
  assert.ok(t);
  assert.equal(Object.values(t.countries).reduce((a, b) => a + b, 0), 5000);
  assert.ok(calls <= 100 + 5000 / 16 + 1, `calls ${calls}`);
  assert.ok((t.countries['DE'] ?? 0) >= 5000 - 15);
});

void test('IOC patterns are counted on the innermost payload', () => {
  const http = ipv4({ src: '198.18.0.1', dst: '10.200.0.5', protocol: 6, payload: tcp({ srcPort: 5, dstPort: 80, flags: TcpFlag.psh | TcpFlag.ack, payload: ascii('GET /wp-login.php HTTP/1.1\r\n') }) });
  const tunnelled = ipv4({ src: '198.18.0.2', dst: '10.200.0.5', protocol: 47, payload: gre({ protocol: 0x0800, payload: http }) });
  const [t] = run(
    [
      { ts: T0, data: http },
      { ts: T0 + 1, data: tunnelled },
      { ts: T0 + 2, data: dnsReply('192.0.2.1') },
    ],
    { iocPatterns: [{ id: 'wp-login', ascii: '/wp-login.php' }, { id: 'mirai', hex: '0123456789' }] },
  );
  assert.deepEqual(t?.iocMatches, { 'wp-login': 2 });
});

void test('options are validated with the key named', () => {
  assert.throws(() => new TickAggregator({ tickMs: 0 }, { onTick: () => undefined }), /tickMs/);
  assert.throws(() => new TickAggregator({ sampleRate: 1.5 }, { onTick: () => undefined }), /sampleRate/);
});

void test('invariants hold on arbitrary frames: sums match, nothing throws', () => {
  const frameArb = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.constantFrom(syn('1.2.3.4', 80), dnsReply('5.6.7.8'), ethernet(0x0800, syn('1.1.1.1', 1))).chain((base) =>
      fc.tuple(fc.nat(base.length), fc.nat(255), fc.nat(base.length)).map(([at, v, cut]) => {
        const c = base.slice(0, Math.max(cut, 1));
        if (at < c.length) c[at] = v;
        return c;
      }),
    ),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), frameArb), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (items, rate) => {
      const ticks = run(
        items.map(([dt, data]) => ({ ts: T0 + dt, data })),
        { sampleRate: rate },
      );
      const total = ticks.reduce((s, t) => s + t.total.packets, 0);
      assert.equal(total, items.length);
      for (const t of ticks) {
        const proto = Object.values(t.byProtocol).reduce((s, c) => s + c.packets, 0);
        assert.equal(proto, t.decoded.packets);
        assert.equal(t.sizeHistogram.reduce((a, b) => a + b, 0), t.decoded.packets);
        assert.ok(t.decodeErrors <= t.decoded.packets);
        assert.ok(t.decoded.packets <= t.total.packets);
      }
    }),
    { numRuns: 300 },
  );
});

void test('size buckets at and around every bound, fractional and huge lengths included', () => {
  const lengths = [20, 64, 64.5, 65, 128, 129, 256, 257, 512, 513, 1024, 1025, 1500, 1500.5, 1501, 65535];
  const p = syn('198.18.0.1', 80);
  const ticks: TickStats[] = [];
  const agg = new TickAggregator({}, { onTick: (t) => ticks.push(t) });
  for (const n of lengths) agg.addFrame(T0, Linktype.raw, p, 0, p.length, n);
  agg.flush();
  const want = new Array<number>(7).fill(0);
  for (const n of lengths) {
    const wire = Math.max(n, p.length);
    const i = [64, 128, 256, 512, 1024, 1500].findIndex((b) => wire <= b);
    want[i === -1 ? 6 : i]!++;
  }
  assert.deepEqual(ticks[0]?.sizeHistogram, want);
});
