// The peers measured beside our decoder: nfdump's nfcapd (NetFlow v9, IPFIX) and pmacct's
// sfacctd (sFlow), each sent the same recorded datagrams over UDP on 127.0.0.1. Their figure is
// records per CPU-second of the daemon (from /proc), which does not depend on how fast we send.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface PeerRun {
  tool: string;
  recordsStored: number;
  cpuSeconds: number;
  recordsPerCpuSecond: number;
  /** nfdump reading nfcapd's files back (its own format), records/s wall; null for sfacctd. */
  readBackPerSecond: number | null;
}

const CLK_TCK = 100;

function cpuSecondsOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / CLK_TCK;
}

function familyPids(root: number): number[] {
  const out = [root];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (out.includes(ppid)) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitIdle(pids: () => number[], deadlineMs: number): Promise<number> {
  let last = -1;
  const end = Date.now() + deadlineMs;
  for (;;) {
    const now = cpuSecondsOf(pids());
    if (now === last || Date.now() > end) return now;
    last = now;
    await sleep(300);
  }
}

/** Sends the payloads `times` over, paced in small bursts so a daemon's socket buffer is not overrun. */
async function send(port: number, payloads: readonly Uint8Array[], times: number, burst: number): Promise<void> {
  const sock = createSocket('udp4');
  sock.bind();
  await new Promise((r) => sock.once('listening', r));
  sock.setSendBufferSize(4 << 20);
  let n = 0;
  for (let k = 0; k < times; k++) {
    for (const p of payloads) {
      await new Promise<void>((res, rej) => sock.send(p, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
      if (++n % burst === 0) await sleep(1);
    }
  }
  sock.close();
}

async function started(child: ChildProcess, port: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`peer exited with ${child.exitCode}`);
    const r = spawnSync('ss', ['-uln', `sport = :${port}`], { encoding: 'utf8' });
    if (r.stdout.includes(`:${port}`)) return;
    await sleep(50);
  }
  throw new Error('peer did not open its port');
}

export async function nfcapdRun(payloads: readonly Uint8Array[], port: number, times: number): Promise<PeerRun | null> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-flows-nfcapd-'));
  try {
    const child = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir, '-t', '3600', '-B', '16777216'], { stdio: 'ignore' });
    await started(child, port);
    const c0 = cpuSecondsOf([child.pid!]);
    await send(port, payloads, times, 16);
    const c1 = await waitIdle(() => [child.pid!], 30_000);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const files = readdirSync(dir).filter((f) => f.startsWith('nfcapd.'));
    if (files.length === 0) return null;
    // -I reads every record of the files and prints only the totals.
    const t0 = performance.now();
    const r = spawnSync('nfdump', ['-R', dir, '-I'], { encoding: 'utf8' });
    const readSeconds = (performance.now() - t0) / 1000;
    const stored = Number(/^Flows:\s*(\d+)/m.exec(r.stdout)?.[1] ?? 0);
    const cpu = c1 - c0;
    return { tool: 'nfcapd 1.7.1', recordsStored: stored, cpuSeconds: cpu, recordsPerCpuSecond: stored / cpu, readBackPerSecond: stored / readSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function sfacctdRun(payloads: readonly Uint8Array[], port: number, times: number): Promise<PeerRun | null> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-flows-sfacctd-'));
  try {
    const out = join(dir, 'out.csv');
    writeFileSync(
      join(dir, 'sfacctd.conf'),
      [
        'daemonize: false',
        `sfacctd_ip: 127.0.0.1`,
        `sfacctd_port: ${port}`,
        'sfacctd_pipe_size: 16777216',
        'plugins: print[p]',
        'plugin_pipe_size[p]: 67108864',
        'plugin_buffer_size[p]: 65536',
        'aggregate[p]: src_host, dst_host, src_port, dst_port, proto',
        'print_output[p]: csv',
        `print_output_file[p]: ${out}`,
        'print_refresh_time[p]: 1',
        'print_output_file_append[p]: true',
      ].join('\n') + '\n',
    );
    const child = spawn('sfacctd', ['-f', join(dir, 'sfacctd.conf')], { stdio: 'ignore' });
    await started(child, port);
    const pids = () => familyPids(child.pid!);
    const c0 = cpuSecondsOf(pids());
    await send(port, payloads, times, 4);
    const c1 = await waitIdle(pids, 30_000);
    // The print plugin writes every refresh; wait for one after the last sample.
    await sleep(2500);
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    let packets = 0;
    try {
      // Appended once per refresh, each time with its header line.
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      const col = lines[0]!.split(',').indexOf('PACKETS');
      for (const l of lines) if (!l.startsWith('SRC_IP')) packets += Number(l.split(',')[col]) || 0;
    } catch {
      return null;
    }
    const cpu = c1 - c0;
    return { tool: 'sfacctd 1.7.7', recordsStored: packets, cpuSeconds: cpu, recordsPerCpuSecond: packets / cpu, readBackPerSecond: null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
