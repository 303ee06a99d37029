// The agent's live path on real traffic: tcpdump in a victim namespace, kernel counters,
// 100 ms ticks, the detection engine — against a counted flood from an attacker namespace.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';

const here = import.meta.dirname;

// Runs inside the victim namespace: prints JSON lines for ticks with traffic and for engine events.
const CHILD = (iface: string, target: string) => `
  import { createDetectionEngine } from '@breakwater/detection';
  import { KernelCounters } from ${JSON.stringify(join(here, '..', 'kernel-counters.ts'))};
  import { LiveTicks } from ${JSON.stringify(join(here, 'live-ticks.ts'))};
  import { TcpdumpSource } from ${JSON.stringify(join(here, 'tcpdump-source.ts'))};
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
  const engine = createDetectionEngine({ thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1000 } }, { target: ${JSON.stringify(target)} });
  const ticks = new LiveTicks({}, { counters: new KernelCounters({ iface: ${JSON.stringify(iface)} }), now: () => Date.now(), onTick: (t) => {
    if (t.total.packets > 0) out({ type: 'tick', ts: t.ts, total: t.total.packets, decoded: t.decoded.packets, udp: t.byProtocol.udp.packets, port: t.topDstPorts[0]?.key ?? null });
    for (const e of engine.ingest(t)) out({ type: 'event', kind: e.type, at: Date.now(), tickTs: t.ts, family: e.incident?.attackFamily ?? e.incident?.attack_family ?? null });
  } });
  const cap = new TcpdumpSource({ iface: ${JSON.stringify(iface)} }, { onRecord: ticks.onRecord, onError: (e) => out({ type: 'error', message: e.message }) });
  await cap.start();
  ticks.start();
  out({ type: 'ready' });
  process.stdin.resume();
  process.stdin.on('end', async () => { ticks.stop(); const s = await cap.stop(); out({ type: 'stop', ...s }); process.exit(0); });
`;

test('a counted UDP flood: exact totals, decoded detail, and an incident within a second', { timeout: 90_000 }, async () => {
  await withNamespaces(async (n) => {
    const child = spawn('ip', ['netns', 'exec', n.victim, process.execPath, '--input-type=module', '-e', CHILD(n.victimIf, n.victimIp)], { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(here, '..', '..') });
    const lines: any[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l)));
    try {
      await waitFor('pipeline ready', () => lines.some((l) => l.type === 'ready'), 15_000);
      const COUNT = 20_000;
      const floodStart = Date.now();
      const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7777', '-d', '64', '-i', 'u100', '-c', String(COUNT), '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
      assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);
      await waitFor('incident resolved after the flood', () => lines.some((l) => l.type === 'event' && l.kind === 'incident.resolved'), 15_000);
      child.stdin.end();
      await waitFor('capture stopped', () => lines.find((l) => l.type === 'stop'), 10_000);
      const ticks = lines.filter((l) => l.type === 'tick');
      const total = ticks.reduce((a, t) => a + t.total, 0);
      const decoded = ticks.reduce((a, t) => a + t.decoded, 0);
      const udp = ticks.reduce((a, t) => a + t.udp, 0);
      assert.ok(total >= COUNT && total <= COUNT + 50, `kernel total ${total} for ${COUNT} sent`);
      assert.ok(decoded >= COUNT * 0.99, `decoded ${decoded} of ${COUNT}`);
      assert.ok(udp >= COUNT * 0.99, `udp ${udp}`);
      assert.equal(lines.find((l) => l.type === 'stop').kernelDrops, 0);
      // Detail arrives in libpcap's batches (tens of ms late at this rate): it may land a tick
      // after the totals it belongs to, but the flood's port tops the ticks that carry it.
      const detailed = ticks.filter((t) => t.decoded > 100);
      assert.ok(detailed.length > 0 && detailed.every((t) => t.port === 7777), `top ports ${detailed.map((t) => t.port).join(',')}`);
      const opened = lines.find((l) => l.type === 'event' && l.kind === 'incident.opened');
      assert.ok(opened, 'an incident opened');
      assert.equal(opened.family, 'udp_flood');
      const firstFloodTick = ticks.find((t) => t.udp > 100);
      const latency = opened.at - Math.max(floodStart, firstFloodTick.ts);
      assert.ok(latency < 1000, `opened ${latency} ms after the flood began`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
