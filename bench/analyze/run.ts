// Decode + aggregate throughput on one core, beside tcpdump and tshark reading the same
// file. Prints figures only.
//   node bench/analyze/run.ts [packets = 1000000] [file = /tmp/breakwater-bench.pcap]
// The capture mixes a random-source SYN flood, DNS-style UDP, ICMP, IPv6 and GRE, with
// 1 µs between packets: 100k packets per 100 ms tick, as under a 1 Mpps flood.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  CaptureReader,
  CaptureRecord,
  DecodedPacket,
  decodePacket,
  encodePcapHeader,
  encodePcapRecord,
  Linktype,
  TcpFlag,
  TickAggregator,
} from '@breakwater/packets';
import { ethernet, gre, icmp, ipv4, ipv6, tcp, udp } from '../../packages/packets/src/packet-builder.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const file = process.argv[3] ?? '/tmp/breakwater-bench.pcap';

function templates(): Uint8Array[] {
  const syn = ethernet(0x0800, ipv4({ src: '198.18.0.1', dst: '10.200.0.5', protocol: 6, ttl: 54, payload: tcp({ srcPort: 1234, dstPort: 80, flags: TcpFlag.syn }) }));
  const dns = ethernet(0x0800, ipv4({ src: '192.0.2.53', dst: '10.200.0.5', protocol: 17, ttl: 120, payload: udp(53, 40000, new Uint8Array(40)) }));
  const ping = ethernet(0x0800, ipv4({ src: '192.0.2.9', dst: '10.200.0.5', protocol: 1, payload: icmp(8, 0, new Uint8Array(32)) }));
  const v6 = ethernet(0x86dd, ipv6({ src: '2001:db8::7', dst: '2001:db8::5', protocol: 6, payload: tcp({ srcPort: 5555, dstPort: 443, flags: TcpFlag.ack }) }));
  const tun = ethernet(0x0800, ipv4({ src: '198.18.9.9', dst: '10.200.0.5', protocol: 47, payload: gre({ protocol: 0x0800, payload: ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: udp(1, 2, new Uint8Array(16)) }) }) }));
  return [syn, syn, syn, syn, syn, dns, dns, ping, v6, tun];
}

function generate(): void {
  if (existsSync(file) && statSync(file).size > count * 50) return;
  const t = templates();
  const out = new Uint8Array(24 + count * (16 + 128));
  let o = encodePcapHeader(out, 0, { linktype: Linktype.ethernet, snaplen: 128 });
  let rnd = 0x12345678;
  for (let i = 0; i < count; i++) {
    const k = i % t.length;
    const frame = t[k]!;
    const start = o + 16;
    o += encodePcapRecord(out, o, 1_700_000_000 + Math.floor(i / 1_000_000), i % 1_000_000, frame, 0, frame.length, frame.length);
    if (k < 5) {
      // Random source for the SYN flood: xorshift, written into the IPv4 source field.
      rnd ^= rnd << 13;
      rnd ^= rnd >>> 17;
      rnd ^= rnd << 5;
      new DataView(out.buffer).setUint32(start + 14 + 12, rnd >>> 0);
    }
  }
  writeFileSync(file, out.subarray(0, o));
}

async function ours(aggregate: boolean): Promise<{ seconds: number; packets: number; ticks: number }> {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  const pkt = new DecodedPacket();
  let ticks = 0;
  const agg = new TickAggregator({}, { onTick: () => ticks++, geo: () => 'NL' });
  const t0 = performance.now();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    reader.push(chunk as Buffer);
    if (aggregate) while (reader.next(rec)) agg.addRecord(rec);
    else while (reader.next(rec)) decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, pkt);
  }
  reader.end();
  agg.flush();
  if (reader.error !== null) throw reader.error;
  return { seconds: (performance.now() - t0) / 1000, packets: reader.packets, ticks };
}

function timed(cmd: string, args: string[]): number | null {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.error !== undefined || r.status !== 0) return null;
  return (performance.now() - t0) / 1000;
}

generate();
const size = statSync(file).size;
console.log(`file ${file}: ${count} packets, ${(size / 1e6).toFixed(1)} MB`);
const fmt = (s: number | null): string => (s === null ? 'unavailable' : `${s.toFixed(2)} s  ${(count / s / 1e6).toFixed(2)} Mpps`);
await ours(true); // warm-up: JIT and page cache
const dec = await ours(false);
console.log(`breakwater read+decode             ${fmt(dec.seconds)}`);
const full = await ours(true);
console.log(`breakwater read+decode+aggregate   ${fmt(full.seconds)}  (${full.ticks} ticks)`);
console.log(`tcpdump -nr FILE > /dev/null       ${fmt(timed('tcpdump', ['-nr', file]))}`);
console.log(`tshark -n -r FILE > /dev/null      ${fmt(timed('tshark', ['-n', '-r', file]))}`);
