// bench/notify: an incident opened through the agent API → delivered on all twelve
// channel types (each a local fake that checks requests as its provider documents them;
// email through a real SMTP server). Prints p50/p99 of "agent report sent → last of the
// twelve delivered" over N incidents. Target: p99 under 1 s.
//
//   node bench/notify/run.ts [--incidents 100] [--spacing-ms 300]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNEL_TYPES } from '@breakwater/contracts';
import { createServer, resolveConfig } from '@breakwater/server';
import { waitFor } from '@breakwater/testing';
import { CHANNEL_CONTRACTS } from '@breakwater/notify/testing';

const { values } = parseArgs({ options: { incidents: { type: 'string', default: '100' }, 'spacing-ms': { type: 'string', default: '300' } } });
const N = Number(values.incidents);
const spacing = Number(values['spacing-ms']);
if (!Number.isInteger(N) || N < 1) throw new Error('--incidents: a positive integer');
if (!Number.isInteger(spacing) || spacing < 0) throw new Error('--spacing-ms: a whole number of milliseconds');

const fakes = await Promise.all(CHANNEL_TYPES.map(async (type) => ({ type, fake: await CHANNEL_CONTRACTS[type].start() })));
const dir = mkdtempSync(join(tmpdir(), 'bw-bench-notify-'));
// Default outbox settings, as an operator runs them (per-channel pacing 250 ms included).
// The fake providers listen on loopback: granted as an operator would.
const server = await createServer(resolveConfig({ port: 0, dataDir: dir, logLevel: 'error', outbound: { channels: { '*': ['loopback'] } } })).start({ bootstrapIfEmpty: true });
const b = server.bootstrapped!;
const post = async (path: string, token: string, body: unknown, extra: Record<string, string> = {}) => {
  const r = await fetch(server.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });
  const j = (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reply shapes are the API's
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
};
for (const { type, fake } of fakes) {
  await post('/api/v1/channels', b.api_token, { name: type, type, config: (CHANNEL_CONTRACTS[type].config as (host: string) => unknown)(fake.host) });
}
const latencies: number[] = [];
try {
  for (let i = 0; i < N; i++) {
    const node = await post('/api/deploy', b.deploy_token, { name: `bench-${i}`, ip: '192.0.2.10' });
    const t0 = Date.now();
    const inc = await post('/api/v1/agent/incidents', node.api_key, { attack_family: 'udp_flood', attack_subtype: 'ntp_amplification', severity: 'high', peak_pps: 250_000, peak_bps: 2e9 }, { 'x-node-uuid': node.node_uuid });
    const rows = await waitFor(`incident ${i} on all channels`, async () => {
      const r = await server.ctx.db.selectFrom('deliveries').select(['status', 'delivered_at']).where('incident_id', '=', inc.incident_id).execute();
      return r.length === CHANNEL_TYPES.length && r.every((d) => d.status === 'delivered') ? r : undefined;
    }, 30_000, 2);
    latencies.push(Math.max(...rows.map((r) => Number(r.delivered_at))) - t0);
    if (spacing) await new Promise((r) => setTimeout(r, spacing));
  }
} finally {
  await server.stop();
  for (const { fake } of fakes) await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const problems = fakes.flatMap(({ type, fake }) => fake.problems.map((p) => `${type}: ${p}`));
console.log(`bench/notify: ${N} incidents × ${CHANNEL_TYPES.length} channel types (${CHANNEL_TYPES.join(', ')}), incidents ${spacing} ms apart`);
console.log(`received per fake: ${fakes.map(({ type, fake }) => `${type}=${fake.received.length}`).join(' ')}`);
console.log(`requests the fakes found malformed: ${problems.length}${problems.length ? `\n  ${problems.slice(0, 10).join('\n  ')}` : ''}`);
console.log(`report → all ${CHANNEL_TYPES.length} delivered: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${sorted.at(-1)} ms (target p99 < 1000 ms)`);
process.exit(0);
