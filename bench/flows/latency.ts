// Detection latency of the flow collector, beside FastNetMon's sFlow/NetFlow input on the same
// datagrams in the same run. Repeated floods, each toward its own protected address:
//  - sFlow 1:1000 of a 200 kpps UDP flood (10 samples per datagram, one datagram every 50 ms):
//    latency from the first sampled packet's datagram to the incident stored at the server;
//  - NetFlow v9 of a 200 kpps UDP flood exported with a 1 s active timeout: the first record
//    arrives one timeout after the flood starts; latency from the flood's start to the incident
//    stored (target: one active timeout + 500 ms).
// The server (SQLite) and the collector run in this process; FastNetMon as its own process on
// loopback, fed the very same datagrams (each sent to both at once). Run: node bench/flows/latency.ts
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector } from '@breakwater/collector';
import { startTestServer } from '@breakwater/server/testing';
import { sqliteBackend, waitFor } from '@breakwater/testing';
import { sflowFlood, v9Flood } from './latency-datagrams.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const THRESHOLD_PPS = 50_000;
const FLOOD_PPS = 200_000;
const SFLOW_RATE = 1000;
const port = () => 30_000 + Math.floor(Math.random() * 20_000);

function fastnetmon(dir: string, sflowPort: number, netflowPort: number): string {
  const set: Record<string, string> = {
    mirror_afpacket: 'off', pcap: 'off', sflow: 'on', sflow_host: '127.0.0.1', sflow_port: String(sflowPort), netflow: 'on', netflow_host: '127.0.0.1',
    netflow_port: String(netflowPort), networks_list_path: join(dir, 'networks'), threshold_pps: String(THRESHOLD_PPS), ban_for_pps: 'on', ban_for_bandwidth: 'off',
    ban_for_flows: 'off', ban_time: '20', notify_script_path: join(dir, 'notify.sh'), disable_usage_report: 'on', enable_api: 'off', prometheus: 'off',
    pid_path: join(dir, 'fastnetmon.pid'), enable_ban: 'on', process_incoming_traffic: 'on', average_calculation_time: '1',
  };
  writeFileSync(join(dir, 'networks'), '203.0.113.0/24\n');
  writeFileSync(join(dir, 'notify.sh'), `#!/bin/sh\necho "$(date +%s%3N) $*" >> ${join(dir, 'fnm-events.log')}\ncat > /dev/null\n`);
  chmodSync(join(dir, 'notify.sh'), 0o755);
  const base = readFileSync('/etc/fastnetmon.conf', 'utf8').split('\n').filter((l) => !Object.keys(set).some((k) => new RegExp(`^\\s*${k}\\s*=`).test(l)));
  const path = join(dir, 'fastnetmon.conf');
  writeFileSync(path, [...base, ...Object.entries(set).map(([k, v]) => `${k} = ${v}`)].join('\n') + '\n');
  return path;
}

function fnmBan(dir: string, ip: string): number | undefined {
  const log = join(dir, 'fnm-events.log');
  if (!existsSync(log)) return undefined;
  const line = readFileSync(log, 'utf8').split('\n').find((l) => l.includes(` ${ip} `) && / ban( |$)/.test(l));
  return line ? Number(line.split(' ')[0]) : undefined;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

const dir = mkdtempSync(join(tmpdir(), 'bw-flow-latency-'));
const t = await startTestServer(sqliteBackend);
const node = await t.deploy(t.admin, 'bench-collector', '127.0.0.1');
const ports = { netflow: port(), sflow: port() };
const collector = createCollector({
  server_url: t.url, node_uuid: node.uuid, api_key: node.key, networks: ['203.0.113.0/24'],
  listen: { netflow: `127.0.0.1:${ports.netflow}`, sflow: `127.0.0.1:${ports.sflow}` }, spool_dir: join(dir, 'spool'),
  queue_datagrams: 65_536, socket_buffer_bytes: 8 << 20, status_interval_seconds: 10, allow_insecure_http: false,
  detection: { thresholds: { pps: THRESHOLD_PPS }, baseline: { enabled: false }, hysteresis: { cooldownMs: 2000 } },
}, { version: 'bench', log: () => undefined });
await collector.start();
const fnmPorts = { netflow: port(), sflow: port() };
mkdirSync('/var/log/fastnetmon_attacks', { recursive: true });
const hasFnm = spawnSync('which', ['fastnetmon']).status === 0;
const fnm = hasFnm ? spawn('fastnetmon', ['--configuration_file', fastnetmon(dir, fnmPorts.sflow, fnmPorts.netflow), '--log_file', join(dir, 'fastnetmon.log')], { stdio: 'ignore' }) : null;
// FastNetMon signals no readiness: wait until both its UDP sockets are bound.
const bound = (p: number) => readFileSync('/proc/net/udp', 'utf8').includes(`:${p.toString(16).toUpperCase().padStart(4, '0')} `);
if (fnm) await waitFor('fastnetmon listening', () => bound(fnmPorts.sflow) && bound(fnmPorts.netflow), 30_000, 50);

const sock = createSocket('udp4');
const send = (buf: Uint8Array, kind: 'sflow' | 'netflow') => {
  sock.send(buf, ports[kind], '127.0.0.1');
  if (fnm) sock.send(buf, fnmPorts[kind], '127.0.0.1');
};

/** When the incident toward `ip` was stored at the server (polled every 5 ms). */
async function stored(ip: string, timeoutMs: number): Promise<number | null> {
  return waitFor(`incident for ${ip}`, async () => {
    const row = await t.server.ctx.db.selectFrom('incidents').innerJoin('nodes', 'nodes.id', 'incidents.node_id').select('incidents.id').where('nodes.ip', '=', ip).executeTakeFirst();
    return row ? Date.now() : undefined;
  }, timeoutMs, 5).catch(() => null);
}

const results: Record<string, { ours: number[]; theirs: number[]; fnmMissed: number }> = { sflow: { ours: [], theirs: [], fnmMissed: 0 }, netflow: { ours: [], theirs: [], fnmMissed: 0 } };
let host = 10;
let seq = 1;
const uptime0 = Date.now();
// One flood of each kind first, not counted: the first flow node and incident of a run pay for
// code loading and the first database writes.
for (let round = -1; round < ROUNDS; round++) {
  for (const kind of ['sflow', 'netflow'] as const) {
    const ip = `203.0.113.${host++}`;
    const start = Date.now();
    let first = start;
    const seen = stored(ip, 10_000);
    // The flood lasts 4 s either way.
    if (kind === 'sflow') {
      const samplesPer50ms = Math.round((FLOOD_PPS / SFLOW_RATE) / 20);
      for (let i = 0; i < 80; i++) {
        // Paced from the first datagram: a late start must not turn into a catch-up burst.
        if (i > 0) await new Promise((r) => setTimeout(r, Math.max(0, first + i * 50 - Date.now())));
        send(sflowFlood(ip, samplesPer50ms, SFLOW_RATE, seq++, Date.now() - uptime0), 'sflow');
        if (i === 0) first = Date.now();
      }
    } else {
      first = start; // the flood's first packet: the record covering it is exported one active timeout later
      for (let s = 1; s <= 4; s++) {
        const due = start + s * 1000;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        send(v9Flood(ip, FLOOD_PPS, due - 1000 - uptime0, due - uptime0, Math.floor(due / 1000), seq++), 'netflow');
      }
    }
    const at = await seen;
    const counted = round >= 0;
    if (at !== null && counted) results[kind]!.ours.push(at - first);
    const ban = fnm ? await waitFor('fastnetmon ban', () => fnmBan(dir, ip), 8000, 20).catch(() => undefined) : undefined;
    if (counted && ban !== undefined) results[kind]!.theirs.push(ban - first);
    else if (counted) results[kind]!.fnmMissed++;
    console.log(`${kind.padEnd(7)} ${counted ? `round ${round + 1}` : 'warm-up'}: breakwater ${at === null ? 'no incident' : `${at - first} ms`}, fastnetmon ${ban === undefined ? 'no ban' : `${ban - first} ms`}`);
  }
}
for (const kind of ['sflow', 'netflow'] as const) {
  const r = results[kind]!;
  const from = kind === 'sflow' ? 'first sampled packet' : 'flood start (active timeout 1 s)';
  console.log(`${kind}: breakwater (${from} → incident stored) p50 ${pct(r.ours, 50)} ms, p99 ${pct(r.ours, 99)} ms over ${r.ours.length}/${ROUNDS} floods; ` +
    `fastnetmon (→ ban notify) p50 ${pct(r.theirs, 50)} ms, p99 ${pct(r.theirs, 99)} ms, ${r.fnmMissed} floods without a ban`);
}
sock.close();
await collector.stop();
if (fnm) {
  fnm.kill('SIGTERM');
  await new Promise((r) => fnm.once('exit', r));
}
await t.stop();
rmSync(dir, { recursive: true, force: true });
