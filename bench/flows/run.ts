// Flow records decoded, and decoded + aggregated per destination per 100 ms tick, per second on
// one core, from recorded datagrams (NetFlow v9 and IPFIX from softflowd, sFlow v5 from pmacctd's
// sfprobe), beside nfdump's nfcapd (v9, IPFIX) and pmacct's sfacctd (sFlow) fed the same
// datagrams in the same run.
//   node bench/flows/run.ts [records = 100000] [--runs 7] [--repeat 10] [--peer-repeat 5] [--no-peers]
// The datagrams are recorded once by record.sh (root: softflowd, pmacct, tcpdump) into
// /tmp/breakwater-bench-flows-v<N>-<records>/ and reused. Our figures: median and best of --runs
// passes after a warm-up, CPU time of this process (one thread). Peers: records per CPU-second of
// the daemon, so how fast we send does not matter; their losses (if any) are printed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFlowDecoder, flowDatagramsFromBuffer, type FlowDatagram } from '@breakwater/flows';
import { DstTickAccumulator } from './aggregate.ts';
import { nfcapdRun, sfacctdRun, type PeerRun } from './peer.ts';
import { TRAFFIC_VERSION } from './traffic.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '7' }, repeat: { type: 'string', default: '10' }, 'peer-repeat': { type: 'string', default: '5' }, 'no-peers': { type: 'boolean', default: false } },
});
const count = Number(positionals[0] ?? 100_000);
const runs = Math.max(1, Number(values.runs));
// Each pass decodes the recording this many times over (one decoder), so a pass lasts long enough to time.
const repeat = Math.max(1, Number(values.repeat));
// Peers are sent the recording this many times over, so their CPU time is well above /proc's 10 ms tick.
const peerRepeat = Math.max(1, Number(values['peer-repeat']));
const TARGET = 1_000_000;
const dir = `/tmp/breakwater-bench-flows-v${TRAFFIC_VERSION}-${count}`;
const PROTOCOLS = ['netflow-v9', 'ipfix', 'sflow-v5'] as const;

if (!PROTOCOLS.every((p) => existsSync(`${dir}/${p}.pcap`))) {
  const script = fileURLToPath(new URL('./record.sh', import.meta.url));
  console.log(`recording datagrams into ${dir} …`);
  const r = spawnSync(script, [dir, String(count)], { stdio: 'inherit', env: { ...process.env, NODE: process.execPath } });
  if (r.status !== 0) throw new Error('record.sh failed (it needs root, softflowd, pmacct and tcpdump)');
}

interface Pass {
  records: number;
  cpuSeconds: number;
  wallSeconds: number;
  hostTicks: number;
}

function pass(datagrams: readonly FlowDatagram[], aggregate: boolean): Pass {
  const decoder = createFlowDecoder({ clock: { now: () => 0 } });
  const acc = new DstTickAccumulator(100);
  let records = 0;
  const onRecord = aggregate ? (r: Parameters<DstTickAccumulator['add']>[0]) => acc.add(r) : () => {};
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < repeat; k++) {
    for (const d of datagrams) records += decoder.decodeEach(d.payload, d.from, d.receivedAtMs, onRecord);
  }
  acc.flush();
  const wallSeconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { records, cpuSeconds: (c.user + c.system) / 1e6, wallSeconds, hostTicks: acc.hostTicks };
}

function summary(passes: Pass[]): { median: number; best: number; records: number } {
  const rates = passes.map((p) => p.records / p.cpuSeconds).sort((a, b) => a - b);
  return { median: rates[Math.floor(rates.length / 2)]!, best: rates[rates.length - 1]!, records: passes[0]!.records };
}

const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M/s`;
const rows: string[] = [];
for (const p of PROTOCOLS) {
  const datagrams = [...flowDatagramsFromBuffer(readFileSync(`${dir}/${p}.pcap`))];
  pass(datagrams, true); // warm-up
  const decodeOnly = summary(Array.from({ length: runs }, () => pass(datagrams, false)));
  const withAgg = summary(Array.from({ length: runs }, () => pass(datagrams, true)));
  let peer: PeerRun | null = null;
  if (!values['no-peers']) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    const payloads = datagrams.map((d) => d.payload);
    try {
      peer = p === 'sflow-v5' ? await sfacctdRun(payloads, port, peerRepeat) : await nfcapdRun(payloads, port, peerRepeat);
    } catch (err) {
      console.log(`${p}: peer failed: ${(err as Error).message}`);
    }
  }
  const line =
    `${p.padEnd(10)} ${String(datagrams.length).padStart(6)} datagrams ${String((decodeOnly.records / repeat)).padStart(7)} records | ` +
    `decode ${fmt(decodeOnly.median)} (best ${fmt(decodeOnly.best)}) | decode+aggregate ${fmt(withAgg.median)} (best ${fmt(withAgg.best)}) ${withAgg.median >= TARGET ? '≥' : '<'} 1 M/s target` +
    (peer === null
      ? ''
      : ` | ${peer.tool}: ${fmt(peer.recordsPerCpuSecond)} per CPU-s (${peer.recordsStored} of ${(decodeOnly.records / repeat) * peerRepeat} records kept, ${peer.cpuSeconds.toFixed(2)} CPU-s)` +
        (peer.readBackPerSecond !== null ? `, nfdump reading them back ${fmt(peer.readBackPerSecond)}` : ''));
  console.log(line);
  rows.push(line);
}
console.log(`node ${process.version}, ${runs} passes of ${repeat}× the recording each; medians (and best) of records per CPU-second of one thread`);
