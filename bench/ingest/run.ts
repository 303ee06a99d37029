// bench/ingest: simulated agents, each posting one metrics batch per second over
// loopback to a real server process. Prints, per engine, the largest node count held
// with p99 latency under 50 ms (and no errors, and the offered rate achieved).
//
//   node bench/ingest/run.ts [--engine sqlite|postgres|both] [--steps 1000,2500,5000,7500,10000,12500] [--seconds 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { nodes, openDatabase } from '@breakwater/db';
import { bootstrap, systemClock } from '@breakwater/server';
import { createTestDatabase, waitFor } from '@breakwater/testing';

const { values } = parseArgs({
  options: { engine: { type: 'string', default: 'both' }, steps: { type: 'string', default: '1000,2500,5000,7500,10000,12500' }, seconds: { type: 'string', default: '10' } },
});
const engines = values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine];
if (!engines.every((e) => e === 'sqlite' || e === 'postgres')) throw new Error('--engine: sqlite, postgres or both');
const steps = values.steps.split(',').map(Number);
if (!steps.every((s) => Number.isInteger(s) && s > 0)) throw new Error('--steps: comma-separated positive integers');
const seconds = Number(values.seconds);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'breakwater.mjs');
const P99_TARGET_MS = 50;

interface Agent { uuid: string; key: string }

async function startServer(dataDir: string, databaseUrl?: string): Promise<{ url: string; proc: ChildProcess }> {
  const args = [BIN, 'server', '--port', '0', '--data-dir', dataDir, '--log-level', 'error', ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor('server', () => /listening on (\S+)/.exec(out)?.[1], 30_000);
  return { url, proc };
}

/** Nodes are written straight into storage before the server starts: the deploy API's
 *  per-token rate limit (1,000/min) would make registering 10,000 of them the slowest part. */
async function seedNodes(dataDir: string, databaseUrl: string | undefined, n: number): Promise<Agent[]> {
  const database = await openDatabase({ url: databaseUrl, dataDir });
  try {
    const b = await bootstrap(database.db, systemClock, { nodeQuota: 1_000_000, rateLimitPerMinute: 1000 });
    const now = Date.now();
    const agents: Agent[] = [];
    for (let i = 0; i < n; i++) {
      const key = randomBytes(32).toString('hex');
      const uuid = randomUUID();
      agents.push({ uuid, key });
      await nodes.insertNode(database.db, {
        uuid, workspace_id: b.workspace_id, name: `bench-${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, location: null, os: null,
        interface: 'eth0', priority: 'production', api_key_digest: createHash('sha256').update(key).digest('hex'), agent_version: null,
        pps_threshold: null, bps_threshold: null, baseline_p99_pps: null, baseline_mean_pps: null, last_seen_at: null, last_pps: null, last_bps: null,
        last_tcp_pct: null, last_udp_pct: null, last_icmp_pct: null, last_conn_count: null, last_metrics_at: null, uptime_seconds: null,
        agent_info: '{}', tags: '[]', created_at: now, updated_at: now, deleted_at: null,
      });
    }
    return agents;
  } finally {
    await database.close();
  }
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/** Each of `agents` posts once per second at its own phase; returns latency stats. */
async function runStep(pool: Pool, agents: Agent[], secs: number) {
  const n = agents.length;
  const lat: number[] = [];
  let errors = 0;
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const perSecond: number[][] = [];
  const t0 = performance.now() + 50;
  const total = n * secs;
  const headers = agents.map((a) => ({ authorization: `Bearer ${a.key}`, 'x-node-uuid': a.uuid, 'content-type': 'application/json', 'user-agent': 'bw-bench/1' }));
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * n));
      while (sent < due) {
        const i = sent % n;
        const second = Math.floor(sent / n);
        sent++;
        const body = `{"pps":${1000 + i},"bps":${8_000_000 + i},"tcp_pct":60,"udp_pct":35,"icmp_pct":5,"conn_count":42,"recorded_at":"${new Date(Date.now() - (Date.now() % 1000)).toISOString()}","s":${second}}`;
        const start = performance.now();
        const p = pool.request({ method: 'POST', path: '/api/v1/agent/metrics', headers: headers[i], body }).then(
          async (r) => {
            await r.body.dump();
            if (r.statusCode === 200) {
              lat.push(performance.now() - start);
              if (process.env.BW_BENCH_DEBUG) (perSecond[second] ??= []).push(performance.now() - start);
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
      else setImmediate(tick);
    };
    setTimeout(tick, 50);
  });
  const sendEnd = performance.now();
  await Promise.all(inflight);
  lat.sort((a, b) => a - b);
  if (process.env.BW_BENCH_DEBUG) console.log(perSecond.map((l) => pct(l.sort((a, b) => a - b), 99).toFixed(0)).join(' '));
  return { n, requests: lat.length, errors, rate: sent / ((sendEnd - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1) ?? NaN };
}

for (const engine of engines) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bw-bench-'));
  const pg = engine === 'postgres' ? await createTestDatabase() : undefined;
  const agents = await seedNodes(dataDir, pg?.url, Math.max(...steps));
  const server = await startServer(dataDir, pg?.url);
  const pool = new Pool(server.url, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  try {
    console.log(`\n[${engine}] ${agents.length} nodes registered; ${seconds} s per step, target p99 < ${P99_TARGET_MS} ms`);
    console.log('nodes   req/s(offered→sent)   p50 ms   p99 ms   max ms   errors   held');
    // Warm-up, not counted: every node posts for a few seconds so the server's key cache,
    // prepared statements and JIT are warm, as they are on a server that has been running.
    const warm = await runStep(pool, agents, 3);
    console.log(`warm-up  ${agents.length} nodes × 3 s: p50 ${warm.p50.toFixed(1)} ms, p99 ${warm.p99.toFixed(1)} ms (cold start, not counted)`);
    let best = 0;
    for (const n of steps) {
      const r = await runStep(pool, agents.slice(0, n), seconds);
      const held = r.errors === 0 && r.p99 < P99_TARGET_MS && r.rate >= n * 0.97;
      if (held) best = Math.max(best, n);
      console.log(`${String(n).padEnd(7)} ${`${n}→${Math.round(r.rate)}`.padEnd(21)} ${r.p50.toFixed(1).padStart(6)}   ${r.p99.toFixed(1).padStart(6)}   ${r.max.toFixed(0).padStart(6)}   ${String(r.errors).padStart(6)}   ${held ? 'yes' : 'no'}`);
      if (!held && r.p99 > P99_TARGET_MS * 4) break; // far past the knee: larger steps only take longer
    }
    console.log(`[${engine}] largest node count held with p99 < ${P99_TARGET_MS} ms: ${best || 'none of the steps'}`);
  } finally {
    await pool.close();
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
process.exit(0);
