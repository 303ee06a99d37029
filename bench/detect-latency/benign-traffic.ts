// Bursty benign traffic made with real TCP: a web server in the attacker namespace, curl
// downloads in the victim namespace, over a link shaped like a real one (tbf at 1 Gbit/s with a
// 32 KB bucket, MTU-sized packets: GSO off, so the veth counts wire-sized frames as a NIC does;
// this kernel has no netem, so the RTT is the veth's tens of microseconds and slow start is over
// in the first milliseconds). What it holds: a new connection per object, a rate-limited
// backup running throughout (curl --limit-rate: the receive window opens in bursts), cache fills
// of 64 KB..1.5 MB one or two at a time, and page loads of 6 parallel objects. Its one-second
// average stays far below a 20 kpps threshold while 10-30 ms slices reach 2-4x it.
//
// Used by run.ts (live, into the agent's namespace: false alarms) and, as a recorder, to make
// the fixture packages/detection/src/fast/benign-bursts.trace (counter samples every 10 ms):
//   node bench/detect-latency/benign-traffic.ts --record packages/detection/src/fast/benign-bursts.trace [--seconds 30]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { withNamespaces, type TestNet } from '@breakwater/testing';

const PORT = 18080;

const SERVER = `
const http = require('node:http');
const chunk = Buffer.alloc(65536, 120);
http.createServer((req, res) => {
  let left = Math.min(Number(req.url.slice(1)) || 0, 1e9);
  res.writeHead(200, { 'content-length': left });
  const more = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return res.once('drain', more); } res.end(); };
  more();
}).listen(${PORT}, () => process.stdout.write('up\\n'));`;

/** Reads the interface's rx counters every 10 ms until stdin closes; prints "ms packets bytes" per sample. */
const RECORDER = `
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const dir = '/sys/class/net/' + process.argv[1] + '/statistics/';
const read = () => [Number(fs.readFileSync(dir + 'rx_packets', 'utf8')), Number(fs.readFileSync(dir + 'rx_bytes', 'utf8'))];
let prev = read(), prevT = performance.now();
const out = [];
// As the agent does: a read whose timing is uncertain (the process was descheduled around it)
// is skipped, and the next one covers its time.
const timer = setInterval(() => {
  const t0 = performance.now(), cur = read(), t = performance.now();
  if (t - t0 > 1) return;
  out.push((t - prevT).toFixed(2) + ' ' + (cur[0] - prev[0]) + ' ' + (cur[1] - prev[1]));
  prev = cur; prevT = t;
}, 10);
process.stdin.resume();
process.stdin.on('end', () => { clearInterval(timer); process.stdout.write(out.join('\\n') + '\\n'); });`;

/** A small deterministic PRNG (mulberry32), so every run sends the same schedule. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sh = (args: string[]) => {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
};

/** Shapes the link (both directions), starts the server; returns the undo. */
function shapeLink(n: TestNet): () => void {
  sh(['ip', '-n', n.attacker, 'link', 'set', 'dev', n.attackerIf, 'gso_max_size', '1500']);
  sh(['ip', 'netns', 'exec', n.attacker, 'tc', 'qdisc', 'replace', 'dev', n.attackerIf, 'root', 'tbf', 'rate', '1gbit', 'burst', '32k', 'latency', '50ms']);
  return () => {
    spawnSync('ip', ['netns', 'exec', n.attacker, 'tc', 'qdisc', 'del', 'dev', n.attackerIf, 'root']);
    spawnSync('ip', ['-n', n.attacker, 'link', 'set', 'dev', n.attackerIf, 'gso_max_size', '65536']);
  };
}

const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

/** Sends the benign traffic for `seconds` (bounded: every curl has a timeout, the backup a rate). */
export async function benignTraffic(n: TestNet, seconds: number, seed = 19): Promise<{ fetches: number; bytes: number }> {
  const undo = shapeLink(n);
  const server = spawn('ip', ['netns', 'exec', n.attacker, process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((ok, fail) => {
      server.stdout.once('data', () => ok());
      server.once('exit', (c) => fail(new Error(`benign web server exited (${c})`)));
    });
    const url = (bytes: number) => `http://${n.attackerIp}:${PORT}/${bytes}`;
    const curl = (bytes: number, extra: string[] = []) =>
      spawn('ip', ['netns', 'exec', n.victim, 'curl', '-s', '-o', '/dev/null', '--max-time', String(seconds + 5), ...extra, url(bytes)], { stdio: 'ignore' });
    const rnd = prng(seed);
    const running: ChildProcess[] = [];
    let bytes = 0;
    // the backup: 2 MB/s for the whole run
    const backup = curl(2_000_000 * (seconds + 5), ['--limit-rate', '2M', '--max-time', String(seconds)]);
    running.push(backup);
    const end = Date.now() + seconds * 1000;
    let fetches = 0;
    const sizes = [65_536, 262_144, 524_288, 1_048_576, 1_572_864];
    while (Date.now() < end) {
      const r = rnd();
      const batch = r < 0.15 ? Array(6).fill(102_400) as number[] : r < 0.45 ? [sizes[Math.floor(rnd() * sizes.length)]!, sizes[Math.floor(rnd() * 3)]!] : [sizes[Math.floor(rnd() * sizes.length)]!];
      for (const b of batch) {
        running.push(curl(b));
        bytes += b;
        fetches++;
      }
      await new Promise((res) => setTimeout(res, 120 + rnd() * 500));
    }
    await Promise.all(running.map(exited));
    return { fetches, bytes };
  } finally {
    server.kill('SIGTERM');
    await exited(server);
    undo();
  }
}

/** Records the victim's rx counters every 10 ms while the benign traffic runs. */
export async function recordBenign(n: TestNet, seconds: number): Promise<string> {
  const rec = spawn('ip', ['netns', 'exec', n.victim, process.execPath, '-e', RECORDER, n.victimIf], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  rec.stdout.on('data', (d: Buffer) => (text += d.toString()));
  try {
    await benignTraffic(n, seconds);
  } finally {
    rec.stdin.end();
    await exited(rec);
  }
  return text;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { record: { type: 'string' }, seconds: { type: 'string', default: '30' } } });
  const seconds = Number(values.seconds);
  if (!values.record) throw new Error('--record FILE: where to write the counter samples');
  await withNamespaces(async (n) => {
    const text = await recordBenign(n, seconds);
    const header = `# benign bursty traffic (bench/detect-latency/benign-traffic.ts, ${seconds} s): per ~10 ms sample of the receiving veth: duration_ms packets bytes\n`;
    writeFileSync(values.record!, header + text);
  });
  process.exit(0);
}
