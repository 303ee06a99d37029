// The aggregator against a naive reference (Maps and plain loops, no sketches) on random
// traffic: whatever the aggregator does for speed, what it reports must agree with this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TickStats } from '@breakwater/contracts';
import { hashKey, hashV4 } from './address-key.ts';
import { decodePacket } from '../decode/decode-packet.ts';
import { DecodedPacket, TcpFlag } from '../decode/decoded-packet.ts';
import { formatIp } from '../decode/format-address.ts';
import { Linktype } from '../capture-file/linktype.ts';
import { ethernet, gre, icmp, ipv4, ipv6, tcp, udp } from '../testing/packet-builder.ts';
import { TickAggregator } from './tick-aggregator.ts';

const T0 = 1_700_000_000_000;
const CAPACITY = 16;

interface Spec {
  kind: 'tcp' | 'udp' | 'icmp' | 'v6' | 'gre' | 'frag' | 'junk';
  src: number;
  port: number;
  flags: number;
  ttl: number;
  len: number;
}

function frame(s: Spec): Uint8Array {
  const v4 = `10.${(s.src >> 8) & 0xff}.${s.src & 0xff}.${(s.src * 7) & 0xff}`;
  const dst = '192.0.2.1';
  const body = new Uint8Array(s.len);
  switch (s.kind) {
    case 'tcp':
      return ethernet(0x0800, ipv4({ src: v4, dst, protocol: 6, ttl: s.ttl, payload: tcp({ srcPort: 1024 + s.port, dstPort: s.port, flags: s.flags, payload: body }) }));
    case 'udp':
      return ethernet(0x0800, ipv4({ src: v4, dst, protocol: 17, ttl: s.ttl, payload: udp(s.port + 7, s.port, body) }));
    case 'icmp':
      return ethernet(0x0800, ipv4({ src: v4, dst, protocol: 1, ttl: s.ttl, payload: icmp(8, 0, body) }));
    case 'v6':
      return ethernet(0x86dd, ipv6({ src: `2001:db8::${s.src.toString(16)}`, dst: '2001:db8::1', protocol: 6, hopLimit: s.ttl, payload: tcp({ srcPort: 9, dstPort: s.port, flags: s.flags, payload: body }) }));
    case 'gre':
      return ethernet(0x0800, ipv4({ src: v4, dst, protocol: 47, ttl: s.ttl, payload: gre({ protocol: 0x0800, payload: ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: udp(1, 2, body) }) }) }));
    case 'frag':
      return ethernet(0x0800, ipv4({ src: v4, dst, protocol: 17, ttl: s.ttl, moreFragments: true, payload: udp(s.port, s.port, body) }));
    case 'junk':
      return ethernet(0x0806, body);
  }
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  kind: fc.constantFrom('tcp', 'tcp', 'tcp', 'udp', 'icmp', 'v6', 'gre', 'frag', 'junk'),
  // Skewed: a few heavy sources, a long tail of many (a random-source flood in small).
  src: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4000 })),
  port: fc.oneof(fc.constantFrom(53, 80, 443), fc.integer({ min: 1, max: 65000 })),
  flags: fc.integer({ min: 0, max: 0x1ff }),
  ttl: fc.integer({ min: 1, max: 255 }),
  len: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1600 })),
});

interface Ref {
  total: number;
  bytes: number;
  proto: Record<string, number>;
  ipv6: number;
  fragments: number;
  flags: Record<string, number>;
  size: number[];
  ttl: number[];
  dst: Map<number, [number, number]>;
  src: Map<number, [number, number]>;
  sources: Map<string, [number, number]>;
  withSource: number;
  errors: number;
}

function reference(frames: Uint8Array[]): Ref {
  const r: Ref = {
    total: 0,
    bytes: 0,
    proto: { tcp: 0, udp: 0, icmp: 0, gre: 0, other: 0 },
    ipv6: 0,
    fragments: 0,
    flags: { syn: 0, synAck: 0, ack: 0, rst: 0, fin: 0, psh: 0, urg: 0, xmas: 0, null: 0 },
    size: new Array<number>(7).fill(0),
    ttl: new Array<number>(256).fill(0),
    dst: new Map(),
    src: new Map(),
    sources: new Map(),
    withSource: 0,
    errors: 0,
  };
  const bump = <K>(m: Map<K, [number, number]>, k: K, bytes: number): void => {
    const e = m.get(k) ?? [0, 0];
    m.set(k, [e[0] + 1, e[1] + bytes]);
  };
  for (const f of frames) {
    const p = new DecodedPacket();
    decodePacket(Linktype.ethernet, f, 0, f.length, p);
    const n = f.length;
    r.total++;
    r.bytes += n;
    if (p.status !== 0) r.errors++;
    r.size[[64, 128, 256, 512, 1024, 1500].findIndex((b) => n <= b) === -1 ? 6 : [64, 128, 256, 512, 1024, 1500].findIndex((b) => n <= b)]!++;
    const l = p.ip;
    if (l.version === 0) {
      r.proto['other']!++;
      continue;
    }
    if (l.version === 6) r.ipv6++;
    if (l.fragment) r.fragments++;
    r.ttl[l.ttl]!++;
    const name = l.protocol === 6 ? 'tcp' : l.protocol === 17 ? 'udp' : l.protocol === 1 || l.protocol === 58 ? 'icmp' : l.protocol === 47 ? 'gre' : 'other';
    r.proto[name]!++;
    if ((name === 'tcp' || name === 'udp') && l.transport) {
      bump(r.dst, l.dstPort, n);
      bump(r.src, l.srcPort, n);
    }
    if (name === 'tcp' && l.transport) {
      const fl = l.tcpFlags;
      const has = (b: number): boolean => (fl & b) !== 0;
      if (has(TcpFlag.syn) && !has(TcpFlag.ack)) r.flags['syn']!++;
      if (has(TcpFlag.syn) && has(TcpFlag.ack)) r.flags['synAck']!++;
      if (has(TcpFlag.ack) && !has(TcpFlag.syn) && !has(TcpFlag.rst) && !has(TcpFlag.fin) && !has(TcpFlag.psh)) r.flags['ack']!++;
      if (has(TcpFlag.rst)) r.flags['rst']!++;
      if (has(TcpFlag.fin)) r.flags['fin']!++;
      if (has(TcpFlag.psh)) r.flags['psh']!++;
      if (has(TcpFlag.urg)) r.flags['urg']!++;
      if (has(TcpFlag.fin) && has(TcpFlag.psh) && has(TcpFlag.urg)) r.flags['xmas']!++;
      if ((fl & 0x3f) === 0) r.flags['null']!++;
    }
    bump(r.sources, formatIp(f, l.srcOffset, l.version), n);
    r.withSource++;
  }
  return r;
}

function naiveTop<K extends number>(m: Map<K, [number, number]>, n: number): { key: K; packets: number; bytes: number }[] {
  return [...m]
    .map(([key, [packets, bytes]]) => ({ key, packets, bytes }))
    .sort((a, b) => b.packets - a.packets || a.key - b.key)
    .slice(0, n);
}

void test('hashV4 is hashKey of the IPv4-mapped key', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => hashV4(a) === hashKey(0, 0, 0xffff, a)));
});

void test('aggregator agrees with a naive reference on random traffic (sampleRate 1)', () => {
  fc.assert(
    fc.property(fc.array(specArb, { minLength: 1, maxLength: 400 }), (specs) => {
      const frames = specs.map(frame);
      const ticks: TickStats[] = [];
      const agg = new TickAggregator({ topN: CAPACITY, heavyHitterCapacity: CAPACITY }, { onTick: (t) => ticks.push(t), geo: (ip) => (ip.includes(':') ? 'de' : 'NL') });
      for (const f of frames) agg.addFrame(T0 + 1, Linktype.ethernet, f, 0, f.length, f.length);
      agg.flush();
      assert.equal(ticks.length, 1);
      const t = ticks[0]!;
      const r = reference(frames);
      assert.deepEqual(t.total, { packets: r.total, bytes: r.bytes });
      assert.deepEqual(t.decoded, t.total);
      assert.deepEqual(Object.fromEntries(Object.entries(t.byProtocol).map(([k, v]) => [k, v.packets])), r.proto);
      assert.equal(t.ipv6.packets, r.ipv6);
      assert.equal(t.fragments.packets, r.fragments);
      assert.equal(t.decodeErrors, r.errors);
      assert.deepEqual({ ...t.tcpFlags }, r.flags);
      assert.deepEqual(t.sizeHistogram, r.size);
      assert.deepEqual(t.ttlHistogram, r.ttl);
      assert.deepEqual(t.topDstPorts, naiveTop(r.dst, CAPACITY));
      assert.deepEqual(t.topSrcPorts, naiveTop(r.src, CAPACITY));
      // Countries: every packet with a source, split exactly (the budget is not reached).
      const v6 = [...r.sources].filter(([k]) => k.includes(':')).reduce((s, [, [p]]) => s + p, 0);
      assert.deepEqual(t.countries, Object.fromEntries(Object.entries({ NL: r.withSource - v6, DE: v6 }).filter(([, v]) => v > 0)));
      // Distinct sources: HyperLogLog, near exact at these counts (linear counting).
      const distinct = r.sources.size;
      assert.ok(Math.abs(t.distinctSources - distinct) <= Math.max(2, distinct * 0.05), `distinct ${t.distinctSources} vs ${distinct}`);
      // Top sources: Space-Saving with CAPACITY counters, all of them reported.
      const top = t.topSources;
      assert.equal(top.length, Math.min(CAPACITY, distinct));
      assert.equal(top.reduce((s, e) => s + e.packets, 0), r.withSource, 'counters sum to the stream');
      for (let i = 1; i < top.length; i++) assert.ok(top[i - 1]!.packets >= top[i]!.packets, 'ordered by packets');
      const reported = new Map(top.map((e) => [e.key, e]));
      assert.equal(reported.size, top.length, 'no key twice');
      for (const e of top) assert.ok(e.packets >= (r.sources.get(e.key)?.[0] ?? 0), `${e.key} underestimated`);
      for (const [k, [p]] of r.sources) if (p > r.withSource / CAPACITY) assert.ok(reported.has(k), `heavy source ${k} (${p}) lost`);
      if (distinct <= CAPACITY) {
        // Room for every source: the counts are exact.
        for (const [k, [p, b]] of r.sources) assert.deepEqual([reported.get(k)?.packets, reported.get(k)?.bytes], [p, b], k);
      }
    }),
    { numRuns: 150 },
  );
});
