// bench/mitigate: an incident opened through the agent API → the blackhole the policy orders is
// in the upstream peer's table. Per adapter type, each speaker real and peering with an upstream
// BIRD 2 in namespaces made for the run; the upstream's table is watched over BIRD's control
// socket. Prints p50/p99 over N incidents per adapter. Target: p99 under 200 ms.
//
//   node bench/mitigate/run.ts [--incidents 50] [--adapters gobgp,exabgp,bird2,frr]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createServer, resolveConfig } from '@breakwater/server';
import { SPEAKER_BEDS } from '@breakwater/server/testing';
import { BirdWatch } from './bird-watch.ts';

const { values } = parseArgs({ options: { incidents: { type: 'string', default: '50' }, adapters: { type: 'string', default: Object.keys(SPEAKER_BEDS).join(',') } } });
const N = Number(values.incidents);
if (!Number.isInteger(N) || N < 1 || N > 250) throw new Error('--incidents: an integer from 1 to 250');
const types = values.adapters.split(',').map((s) => s.trim()).filter(Boolean);
for (const t of types) if (!(t in SPEAKER_BEDS)) throw new Error(`--adapters: ${t} has no test bed here (known: ${Object.keys(SPEAKER_BEDS).join(', ')})`);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const deadline = async (what: string, check: () => Promise<boolean>, ms: number, everyMs = 1) => {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    if (everyMs > 0) await new Promise((r) => setTimeout(r, everyMs));
  }
};

const results: { type: string; p50: number; p99: number; max: number; n: number }[] = [];
for (const type of types) {
  const bed = await SPEAKER_BEDS[type as keyof typeof SPEAKER_BEDS]!();
  const dir = mkdtempSync(join(tmpdir(), `bw-bench-mitigate-${type}-`));
  const server = await createServer(resolveConfig({ port: 0, dataDir: dir, logLevel: 'error', mitigation: bed.serverMitigation })).start({ bootstrapIfEmpty: true });
  const watch = await BirdWatch.open(bed.upstreamSocket);
  try {
    const b = server.bootstrapped!;
    const call = async (method: string, path: string, token: string, body?: unknown, extra: Record<string, string> = {}) => {
      const r = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra }, body: body === undefined ? undefined : JSON.stringify(body) });
      const j = (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reply shapes are the API's
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
      return j;
    };
    const adapter = await call('POST', '/api/v1/mitigation/adapters', b.api_token, { adapter_type: type, name: type, endpoint: bed.endpoint, config: bed.config });
    await call('PUT', '/api/v1/mitigation/escalation-policy', b.api_token, { thresholds: [{ name: 'tier1', pps: 10_000, action: 'blackhole', adapter_id: adapter.data.id }], hold_down_seconds: 0 });
    const nodes: { ip: string; node_uuid: string; api_key: string }[] = [];
    for (let i = 0; i < N; i++) {
      const ip = `198.18.${40 + Math.floor(i / 250)}.${(i % 250) + 1}`;
      const d = await call('POST', '/api/deploy', b.deploy_token, { name: `victim-${i}`, ip });
      nodes.push({ ip, node_uuid: d.node_uuid as string, api_key: d.api_key as string });
    }
    // One warm-up incident: the first connection to the speaker is not what an attack waits for.
    const latencies: number[] = [];
    for (let i = -1; i < N; i++) {
      const node = nodes[Math.max(0, i)]!;
      const prefix = `${node.ip}/32`;
      const headers = { 'x-node-uuid': node.node_uuid };
      const t0 = performance.now();
      const inc = await call('POST', '/api/v1/agent/incidents', node.api_key, { attack_family: 'udp_flood', peak_pps: 250_000, peak_bps: 2e9 }, headers);
      await deadline(`route ${prefix} at the upstream`, () => watch.has(prefix), 10_000, 0);
      if (i >= 0) latencies.push(performance.now() - t0);
      await call('POST', `/api/v1/agent/incidents/${inc.uuid}/resolve`, node.api_key, {}, headers);
      await deadline(`route ${prefix} withdrawn`, async () => !(await watch.has(prefix)), 10_000);
    }
    results.push({ type, p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies), n: latencies.length });
    console.log(`${type}: incident opened → route in the upstream BIRD's table: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} incidents`);
  } finally {
    watch.close();
    await server.stop();
    await bed.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('\nadapter    n    p50 ms   p99 ms   max ms   target p99 < 200 ms');
for (const r of results) {
  console.log(`${r.type.padEnd(9)} ${String(r.n).padStart(3)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)}   ${r.p99 < 200 ? 'met' : 'NOT met'}`);
}
