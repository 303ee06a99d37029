// bench/ingest: simulated agents, each posting one metrics sample per second over loopback to
// real server processes. For SQLite (one server) and for PostgreSQL with 1, 2, 3… replicas on
// one database (agents spread round-robin over them), it finds by bisection the largest node
// count held at 1 Hz with p99 < 50 ms, no errors and the offered rate achieved, and reports
// where the CPU went: the simulated agents (this process), the servers, PostgreSQL, the machine.
//
//   node bench/ingest/run.ts [--engine sqlite|postgres|both] [--replicas 1,2,3] [--seconds 5]
//                            [--start 2000] [--max 20000] [--json FILE] [--cpu-prof DIR] [--timeline]
//
// --cpu-prof DIR: each server writes a V8 CPU profile there when it stops.
// --timeline: each probe also prints its p99 second by second (where a spike came from).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { openDatabase } from '@breakwater/db';
import { bootstrap, systemClock } from '@breakwater/server';
import { createTestDatabase, waitFor } from '@breakwater/testing';
import { cpuSeconds } from '../detect-latency/proc-stats.ts';
import { RawHttpPool } from './raw-client.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' }, replicas: { type: 'string', default: '1,2,3' }, seconds: { type: 'string', default: '5' },
    start: { type: 'string', default: '2000' }, max: { type: 'string', default: '20000' }, json: { type: 'string' },
    'cpu-prof': { type: 'string' }, timeline: { type: 'boolean', default: false },
  },
});
const engines = values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine];
if (!engines.every((e) => e === 'sqlite' || e === 'postgres')) throw new Error('--engine: sqlite, postgres or both');
const replicaCounts = values.replicas.split(',').map(Number);
if (!replicaCounts.every((r) => Number.isInteger(r) && r >= 1 && r <= 8)) throw new Error('--replicas: comma-separated counts from 1 to 8');
const seconds = Number(values.seconds);
const startAt = Number(values.start);
const maxNodes = Number(values.max);
if (![seconds, startAt, maxNodes].every((n) => Number.isInteger(n) && n > 0) || startAt > maxNodes) throw new Error('--seconds, --start, --max: positive integers, start <= max');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'breakwater.mjs');
const P99_TARGET_MS = 50;

interface Agent { uuid: string; key: string }
interface Server { url: string; proc: ChildProcess; pool: RawHttpPool }

async function startServer(dataDir: string, databaseUrl?: string): Promise<Server> {
  const args = [...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []), BIN, 'server', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor('server', () => /listening on (\S+)/.exec(out)?.[1], 60_000);
  return { url, proc, pool: new RawHttpPool(url, 256) };
}

async function stopServer(s: Server): Promise<void> {
  s.pool.close();
  if (s.proc.exitCode !== null) return;
  s.proc.kill('SIGTERM');
  await new Promise((r) => s.proc.once('exit', r));
}

/** Nodes are written straight into storage before the servers start, in batches: the deploy
 *  API's per-token rate limit (1,000/min) would make registering 20,000 of them the slowest part. */
async function seedNodes(dataDir: string, databaseUrl: string | undefined, n: number): Promise<Agent[]> {
  const database = await openDatabase({ url: databaseUrl, dataDir });
  try {
    const b = await bootstrap(database.db, systemClock, { nodeQuota: 1_000_000, rateLimitPerMinute: 1000 });
    const now = Date.now();
    const agents: Agent[] = [];
    for (let from = 0; from < n; from += 500) {
      const rows = [];
      for (let i = from; i < Math.min(n, from + 500); i++) {
        const key = randomBytes(32).toString('hex');
        const uuid = randomUUID();
        agents.push({ uuid, key });
        rows.push({
          uuid, workspace_id: b.workspace_id, name: `bench-${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, location: null, os: null,
          interface: 'eth0', priority: 'production', api_key_digest: createHash('sha256').update(key).digest('hex'), agent_version: null,
          pps_threshold: null, bps_threshold: null, baseline_p99_pps: null, baseline_mean_pps: null, last_seen_at: null, last_pps: null, last_bps: null,
          last_tcp_pct: null, last_udp_pct: null, last_icmp_pct: null, last_conn_count: null, last_metrics_at: null, uptime_seconds: null,
          agent_info: '{}', tags: '[]', created_at: now, updated_at: now, deleted_at: null,
        });
      }
      await database.db.insertInto('nodes').values(rows).execute();
    }
    return agents;
  } finally {
    await database.close();
  }
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

// CPU accounting: this process (the simulated agents), the servers, PostgreSQL's processes
// (the postmaster's children), and the whole machine (/proc/stat).
function machineBusy(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`) : []) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // gone
    }
  }
  return out;
}

function cpuOf(pids: number[]): number {
  let s = 0;
  for (const p of pids) {
    try {
      s += cpuSeconds(p);
    } catch {
      // exited meanwhile
    }
  }
  return s;
}

interface CpuSnapshot { bench: number; servers: number; db: number; machine: { busy: number; total: number }; at: number }

/** The postmaster's children that exited are in its cutime/cstime: counted, so a backend that ends between snapshots takes nothing away. */
function reapedChildrenCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}

function snapshot(serverPids: number[], dbPids: () => number[]): CpuSnapshot {
  const u = process.cpuUsage();
  const db = dbPids();
  return { bench: (u.user + u.system) / 1e6, servers: cpuOf(serverPids), db: cpuOf(db) + reapedChildrenCpu(db[0]), machine: machineBusy(), at: performance.now() };
}

function shares(a: CpuSnapshot, b: CpuSnapshot) {
  const secs = (b.at - a.at) / 1000;
  return {
    seconds: secs,
    bench: (b.bench - a.bench) / secs, servers: (b.servers - a.servers) / secs, db: (b.db - a.db) / secs,
    machine: ((b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total)) * cpus().length,
  };
}

/** Each agent posts once per second at its own phase to its server (round-robin); returns latency stats. */
async function runStep(servers: Server[], agents: Agent[], secs: number, timeline?: number[][]) {
  const n = agents.length;
  const lat: number[] = [];
  let errors = 0;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now() + 50;
  const total = n * secs;
  const headers = agents.map((a) => `authorization: Bearer ${a.key}\r\nx-node-uuid: ${a.uuid}\r\ncontent-type: application/json\r\nuser-agent: bw-bench/1\r\n`);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * n));
      const recordedAt = new Date(Date.now() - (Date.now() % 1000)).toISOString();
      while (sent < due) {
        const i = sent % n;
        const second = Math.floor(sent / n);
        sent++;
        const body = `{"pps":${1000 + i},"bps":${8_000_000 + i},"tcp_pct":60,"udp_pct":35,"icmp_pct":5,"conn_count":42,"recorded_at":"${recordedAt}","s":${second}}`;
        const start = performance.now();
        const p = servers[i % servers.length]!.pool.post('/api/v1/agent/metrics', headers[i]!, body).then(
          (r) => {
            if (r.status === 200) {
              lat.push(performance.now() - start);
              if (timeline) (timeline[Math.floor((start - t0) / 1000)] ??= []).push(performance.now() - start);
            }
            else errors++;
          },
          () => {
            errors++;
          },
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (sent >= total) resolve();
      // Every millisecond, not setImmediate: spinning took a whole core of the machine the servers
      // were measured on, whatever the rate.
      else setTimeout(tick, 1);
    };
    setTimeout(tick, 50);
  });
  const sendEnd = performance.now();
  await Promise.all(inflight);
  lat.sort((a, b) => a - b);
  return { n, requests: lat.length, errors, rate: sent / ((sendEnd - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1) ?? NaN };
}

interface Probe { n: number; rate: number; p50: number; p99: number; errors: number; held: boolean; cpu: ReturnType<typeof shares> }

const results: { config: string; best: number; probes: Probe[] }[] = [];

/** Bisection: double from --start until a count is not held, then halve the gap down to ~3 %. */
async function findLimit(label: string, servers: Server[], agents: Agent[], dbPids: () => number[]): Promise<void> {
  const serverPids = servers.map((s) => s.proc.pid!);
  // Warm-up, not counted: every node posts once (key cache, prepared statements, JIT), at a pace the servers take.
  // (3,000 a second whatever the replica count: faster, the replicas still had a backlog when the
  // first probe began, and its first second's p99 was 130 ms at 2 replicas.) Then a pause for the
  // database's own after-work (autovacuum of 20,000 updated nodes) before the first probe.
  const warmRate = 3000;
  for (let i = 0; i < agents.length; i += warmRate) await runStep(servers, agents.slice(i, i + warmRate), 1);
  await new Promise((res) => setTimeout(res, 3000));
  console.log(`\n[${label}] ${agents.length} nodes registered; ${seconds} s per probe, target p99 < ${P99_TARGET_MS} ms; load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  console.log('nodes   req/s(offered→sent)   p50 ms   p99 ms   errors   held   CPU cores: agents  servers  postgres  machine');
  const probes: Probe[] = [];
  let lo = 0;
  let hi = Infinity;
  let n = startAt;
  for (;;) {
    // One second at the probe's rate first, not counted: the servers' database pools grow to the
    // new rate then (a new PostgreSQL backend is a fork and cold caches), which put 100–200 ms on
    // the first seconds of a probe far above the last one, and most on the first probe after the
    // warm-up; the probe measures the rate held, not the step up to it.
    await runStep(servers, agents.slice(0, n), 1);
    const c0 = snapshot(serverPids, dbPids);
    const timeline: number[][] | undefined = values.timeline ? [] : undefined;
    const r = await runStep(servers, agents.slice(0, n), seconds, timeline);
    const cpu = shares(c0, snapshot(serverPids, dbPids));
    if (timeline) console.log(`        p99 per second: ${timeline.map((l) => pct(l.sort((a, b) => a - b), 99).toFixed(0)).join(' ')}`);
    const held = r.errors === 0 && r.p99 < P99_TARGET_MS && r.rate >= n * 0.97;
    probes.push({ n, rate: r.rate, p50: r.p50, p99: r.p99, errors: r.errors, held, cpu });
    console.log(`${String(n).padEnd(7)} ${`${n}→${Math.round(r.rate)}`.padEnd(21)} ${r.p50.toFixed(1).padStart(6)}   ${r.p99.toFixed(1).padStart(6)}   ${String(r.errors).padStart(6)}   ${(held ? 'yes' : 'no').padEnd(4)}   ${cpu.bench.toFixed(2).padStart(13)}  ${cpu.servers.toFixed(2).padStart(7)}  ${cpu.db.toFixed(2).padStart(8)}  ${cpu.machine.toFixed(2).padStart(7)}`);
    if (held) lo = n;
    else hi = n;
    if (held && n >= maxNodes) break;
    const next = hi === Infinity ? Math.min(maxNodes, n * 2) : Math.round((lo + hi) / 2 / 50) * 50;
    if (hi - lo <= Math.max(100, lo * 0.03) || next === n || next <= lo || next >= hi) break;
    // Let the queues drain between probes.
    await new Promise((res) => setTimeout(res, 1000));
    n = next;
  }
  const limit = lo >= maxNodes ? `${lo} or more (the --max)` : lo > 0 ? String(lo) : `under ${Math.min(...probes.map((p) => p.n))}`;
  console.log(`[${label}] largest node count held at 1 Hz with p99 < ${P99_TARGET_MS} ms: ${limit}`);
  results.push({ config: label, best: lo, probes });
}

for (const engine of engines) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bw-bench-'));
  const database = engine === 'postgres' ? await createTestDatabase() : undefined;
  try {
    const agents = await seedNodes(dataDir, database?.url, maxNodes);
    let postmaster: number | null = null;
    let walStart = '0/0';
    if (database) {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      const backend = Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      // WAL is counted from here: the cluster may be shared with other runs (the WAL position is the cluster's).
      walStart = String((await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn);
      // A backend's parent is the postmaster (read while the backend lives).
      postmaster = existsSync(`/proc/${backend}/stat`) ? Number(readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) : null;
      await c.end();
      if (postmaster === null) console.log('postgres runs outside this pid namespace: its CPU is not measured');
    }
    const dbPids = () => (postmaster ? [postmaster, ...childrenOf(postmaster)] : []);
    for (const replicas of engine === 'sqlite' ? [1] : replicaCounts) {
      const servers: Server[] = [];
      try {
        for (let i = 0; i < replicas; i++) servers.push(await startServer(dataDir, database?.url));
        await findLimit(engine === 'sqlite' ? 'sqlite' : `postgres ×${replicas}`, servers, agents, dbPids);
      } finally {
        for (const s of servers) await stopServer(s);
      }
    }
    if (database) {
      // What one stored sample costs on disk (table + key, all partitions) and in WAL: the database's limit at scale.
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      const r = await c.query<{ bytes: string; n: string; wal: string }>(`SELECT (SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i WHERE i.inhparent = 'metrics'::regclass) AS bytes,
        (SELECT count(*) FROM metrics) AS n, pg_current_wal_lsn() - $1::pg_lsn AS wal`, [walStart]);
      await c.end();
      const row = r.rows[0]!;
      const samplesTotal = results.filter((x) => x.config.startsWith('postgres')).reduce((a, x) => a + x.probes.reduce((b, p) => b + p.rate * seconds, 0), 0);
      console.log(`\npostgres storage: ${Number(row.n)} samples in ${(Number(row.bytes) / 2 ** 20).toFixed(0)} MiB (${(Number(row.bytes) / Math.max(1, Number(row.n))).toFixed(0)} B/sample with its key); WAL written in the whole run ${(Number(row.wal) / 2 ** 20).toFixed(0)} MiB (~${(Number(row.wal) / Math.max(1, samplesTotal)).toFixed(0)} B per sample posted)`);
    }
  } finally {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
console.log('\nsummary (largest node count held at 1 Hz, p99 < 50 ms):');
for (const r of results) {
  const at = r.probes.find((p) => p.n === r.best);
  // CPU per request: the CPU seconds of the whole probe (sending and draining) over the requests sent.
  const sent = (p: Probe) => p.rate * seconds;
  const per = at ? ` — at that load: agents ${at.cpu.bench.toFixed(2)} cores, servers ${at.cpu.servers.toFixed(2)}, postgres ${at.cpu.db.toFixed(2)}, machine ${at.cpu.machine.toFixed(2)} of ${cpus().length}; server CPU ${((at.cpu.servers * at.cpu.seconds / sent(at)) * 1e6).toFixed(0)} µs/request, postgres ${((at.cpu.db * at.cpu.seconds / sent(at)) * 1e6).toFixed(0)} µs/sample` : '';
  const top = r.probes.reduce((a, p) => (p.n > a.n ? p : a), r.probes[0]!);
  const cost = ` — largest probe (${top.n}): server ${((top.cpu.servers * top.cpu.seconds / sent(top)) * 1e6).toFixed(0)} µs CPU/request, postgres ${((top.cpu.db * top.cpu.seconds / sent(top)) * 1e6).toFixed(0)} µs CPU/sample, agents ${((top.cpu.bench * top.cpu.seconds / sent(top)) * 1e6).toFixed(0)} µs CPU/request`;
  console.log(`  ${r.config.padEnd(14)} ${r.best}${per}${cost}`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
process.exit(0);
