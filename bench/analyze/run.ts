// Decode + aggregate throughput on one core, beside tcpdump and tshark reading the same
// file, in the same run.
//   node bench/analyze/run.ts [packets = 1000000] [file] [--runs 7] [--tool-runs 1] [--no-tools]
// Without a file argument the capture is generated (traffic.ts: a random-source SYN flood
// over ordinary traffic from tens of thousands of sources, random order, 128-byte snaplen,
// 100,000 packets per 100 ms tick) and reused while its mix is unchanged. Whatever the
// file, the mix is printed as our own aggregator measured it, so a figure always comes
// with the traffic it was measured on. Our figures are the median and best of --runs
// timed runs after a warm-up; the machine is shared, so single runs are noisy.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { TickStats } from '@breakwater/contracts';
import { CaptureReader, CaptureRecord, DecodedPacket, decodePacket, TickAggregator } from '@breakwater/packets';
import { CLASSES, describeMix, generate, MIX_VERSION, SNAPLEN } from './traffic.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '7' },
    'tool-runs': { type: 'string', default: '1' },
    'no-tools': { type: 'boolean', default: false },
  },
});
const count = Number(positionals[0] ?? 1_000_000);
const file = positionals[1] ?? `/tmp/breakwater-bench-mix${MIX_VERSION}-${count}.pcap`;
const runs = Math.max(1, Number(values.runs));
const toolRuns = Math.max(1, Number(values['tool-runs']));
const TARGET_MPPS = 3;

/** Generates the capture unless this exact mix is already there; false for a foreign file. */
function prepare(): boolean {
  const sidecar = `${file}.mix.json`;
  const want = JSON.stringify({ version: MIX_VERSION, count, snaplen: SNAPLEN });
  if (existsSync(file) && existsSync(sidecar) && readFileSync(sidecar, 'utf8') === want) return true;
  if (existsSync(file) && !existsSync(sidecar) && positionals[1] !== undefined) return false;
  const t0 = performance.now();
  writeFileSync(file, generate(count));
  writeFileSync(sidecar, want);
  console.log(`generated ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

interface Run {
  seconds: number;
  cpuSeconds: number;
  packets: number;
  ticks: TickStats[];
}

async function ours(aggregate: boolean): Promise<Run> {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  const pkt = new DecodedPacket();
  const ticks: TickStats[] = [];
  const agg = new TickAggregator({}, { onTick: (t) => ticks.push(t), geo: (ip) => (ip.startsWith('100.') ? 'NL' : ip.includes(':') ? 'DE' : 'US') });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    reader.push(chunk as Buffer);
    if (aggregate) while (reader.next(rec)) agg.addRecord(rec);
    else while (reader.next(rec)) decodePacket(rec.linktype, rec.buf, rec.offset, rec.caplen, pkt);
  }
  reader.end();
  agg.flush();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (reader.error !== null) throw reader.error;
  return { seconds, cpuSeconds: (c.user + c.system) / 1e6, packets: reader.packets, ticks };
}

function timed(cmd: string, args: string[]): number | null {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.error !== undefined || r.status !== 0) return null;
  return (performance.now() - t0) / 1000;
}

const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)} %`;

function printMix(ticks: TickStats[]): void {
  const sum = (f: (t: TickStats) => number): number => ticks.reduce((s, t) => s + f(t), 0);
  const total = sum((t) => t.total.packets);
  const decoded = sum((t) => t.decoded.packets);
  const busy = ticks.filter((t) => t.total.packets > 0);
  const distinct = busy.map((t) => t.distinctSources);
  const topShare = Math.max(...busy.map((t) => (t.topSources[0]?.packets ?? 0) / t.decoded.packets));
  const proto = (k: keyof TickStats['byProtocol']): number => sum((t) => t.byProtocol[k].packets);
  console.log(`measured mix (our aggregator, ${ticks.length} ticks of ${ticks[0]?.durationMs ?? 0} ms):`);
  console.log(
    `  tcp ${pct(proto('tcp'), decoded)}  udp ${pct(proto('udp'), decoded)}  icmp ${pct(proto('icmp'), decoded)}  gre ${pct(proto('gre'), decoded)}  other ${pct(proto('other'), decoded)}` +
      `  | ipv6 ${pct(sum((t) => t.ipv6.packets), decoded)}  SYN-only ${pct(sum((t) => t.tcpFlags.syn), decoded)}  fragments ${pct(sum((t) => t.fragments.packets), decoded)}`,
  );
  console.log(
    `  ${(total / busy.length).toFixed(0)} packets/tick, mean wire size ${(sum((t) => t.total.bytes) / total).toFixed(0)} B, distinct sources/tick ${Math.min(...distinct)}..${Math.max(...distinct)} (HyperLogLog), busiest source ≤ ${(100 * topShare).toFixed(2)} % of a tick`,
  );
  // The generated mix must come out as specified, or the figures are for other traffic.
  const want = new Map<string, number>();
  const shares = CLASSES.reduce((s, c) => s + c.share, 0);
  for (const c of CLASSES) want.set(c.proto, (want.get(c.proto) ?? 0) + (100 * c.share) / shares);
  const off = [...want].filter(([k, v]) => Math.abs((100 * proto(k as keyof TickStats['byProtocol'])) / decoded - v) > 1);
  const manySources = Math.min(...distinct) > 10_000;
  if (generated && (off.length > 0 || !manySources)) {
    console.log(`  WARNING: the file does not have the specified mix (${off.map(([k]) => k).join(', ') || 'too few sources'}); delete it to regenerate`);
  } else if (!manySources) {
    console.log('  note: fewer than 10,000 distinct sources per tick: not a random-source flood');
  }
}

function stats(xs: number[]): { median: number; best: number; worst: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, best: s[0]!, worst: s[s.length - 1]! };
}

const generated = prepare();
const size = statSync(file).size;
const warm = await ours(true); // warm-up (JIT, page cache); its ticks give the measured mix
const packets = warm.packets;
console.log(`file ${file}: ${packets} packets, ${(size / 1e6).toFixed(1)} MB${generated ? '' : ' (not generated here)'}`);
if (generated) {
  console.log(`generated mix (random order, snaplen ${SNAPLEN}, wire length kept):`);
  for (const line of describeMix()) console.log(line);
}
printMix(warm.ticks);

// Other processes on the machine slow single runs down: say how busy it was, so a figure
// taken on a loaded machine is read as such.
const load = (): string => loadavg()[0]!.toFixed(2);
const loadBefore = load();
const dec: Run[] = [];
const full: Run[] = [];
for (let i = 0; i < runs; i++) {
  dec.push(await ours(false));
  full.push(await ours(true));
}
const loadAfter = load();
const mpps = (s: number): string => `${(packets / s / 1e6).toFixed(2)} Mpps`;
const line = (label: string, rs: Run[]): number => {
  const wall = stats(rs.map((r) => r.seconds));
  const cpu = stats(rs.map((r) => r.cpuSeconds));
  console.log(
    `${label}  median ${wall.median.toFixed(3)} s ${mpps(wall.median).padStart(10)}   best ${mpps(wall.best).padStart(10)}   worst ${mpps(wall.worst).padStart(10)}   (cpu median ${cpu.median.toFixed(3)} s; runs in order: ${rs.map((r) => (packets / r.seconds / 1e6).toFixed(2)).join(' ')})`,
  );
  return packets / wall.median;
};
console.log(`breakwater, from the file, one JS thread, ${runs} runs each (1-minute load average ${loadBefore} before, ${loadAfter} after, ${availableParallelism()} CPUs):`);
line('read+decode           ', dec);
const ourRate = line('read+decode+aggregate ', full);

if (!values['no-tools']) {
  const tool = (label: string, cmd: string, args: string[]): number | null => {
    const times: number[] = [];
    for (let i = 0; i < toolRuns; i++) {
      const s = timed(cmd, args);
      if (s === null) {
        console.log(`${label}  unavailable`);
        return null;
      }
      times.push(s);
    }
    const { best } = stats(times);
    console.log(`${label}  best of ${toolRuns}: ${best.toFixed(2)} s ${mpps(best).padStart(10)}   ours (median, aggregating) is ${(ourRate / (packets / best)).toFixed(1)}× faster`);
    return packets / best;
  };
  tool('tcpdump -nr FILE > /dev/null ', 'tcpdump', ['-nr', file]);
  tool('tshark -n -r FILE > /dev/null', 'tshark', ['-n', '-r', file]);
}
console.log(`target ${TARGET_MPPS} Mpps decode+aggregate: ${ourRate / 1e6 >= TARGET_MPPS ? 'met' : 'NOT met'} (median ${(ourRate / 1e6).toFixed(2)} Mpps)`);
