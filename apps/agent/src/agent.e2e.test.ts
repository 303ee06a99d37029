// The agent end to end: `breakwater server` and `breakwater agent` (enrolled through the
// deploy API) run in a victim namespace; a counted flood comes from an attacker namespace;
// the incident, its family and its resolution are read back from the server's REST API.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '@breakwater/testing';
import { withNamespaces, type TestNet } from './testing/netns.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'breakwater.mjs');

function inNs(ns: string, args: string[]) {
  return spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...args], { encoding: 'utf8', timeout: 30_000 });
}

/** GET on the server inside the namespace (this process cannot reach its loopback). */
function api(n: TestNet, url: string, token: string, path: string): any {
  const js = `const r = await fetch(${JSON.stringify(url + path)}, { headers: { authorization: ${JSON.stringify(`Bearer ${token}`)} } }); process.stdout.write(await r.text());`;
  const r = inNs(n.victim, ['--input-type=module', '-e', js]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

test('agent → server: a UDP flood opens a udp_flood incident at the server, which resolves after the flood', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-e2e-'));
  const children: ChildProcess[] = [];
  try {
    await withNamespaces(async (n) => {
      const server = spawn('ip', ['netns', 'exec', n.victim, process.execPath, BIN, 'server', '--port', '0', '--data-dir', join(dir, 'server'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(server);
      let out = '';
      server.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const url = await waitFor('server listening', () => /listening on (\S+)/.exec(out)?.[1], 30_000);
      const deployToken = /Deploy token:\s+(\S+)/.exec(out)![1]!;
      const apiToken = /API token:\s+(\S+)/.exec(out)![1]!;

      const configPath = join(dir, 'agent.json');
      const enrolled = inNs(n.victim, [BIN, 'agent', 'enroll', '--server', url, '--deploy-token', deployToken, '--name', 'victim', '--interface', n.victimIf, '--ip', n.victimIp, '--config', configPath]);
      assert.equal(enrolled.status, 0, enrolled.stderr);
      const nodeUuid = /enrolled as node (\S+);/.exec(enrolled.stdout)![1]!;
      const config = JSON.parse(readFileSync(configPath, 'utf8'));
      Object.assign(config, {
        spool_dir: join(dir, 'spool'), pcap_dir: join(dir, 'pcap'),
        detection: { thresholds: { pps: 3000 }, baseline: { enabled: false }, hysteresis: { cooldownMs: 1500 } },
      });
      writeFileSync(configPath, JSON.stringify(config));
      chmodSync(configPath, 0o600);

      const agent = spawn('ip', ['netns', 'exec', n.victim, process.execPath, BIN, 'agent', 'run', '--config', configPath], { stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(agent);
      await waitFor('node online (heartbeat)', () => api(n, url, apiToken, `/api/v1/nodes/${nodeUuid}`).data?.status === 'online', 30_000, 200);

      // quiet traffic first: no incident
      const ping = spawnSync('ip', ['netns', 'exec', n.attacker, 'ping', '-c', '5', '-i', '0.2', '-q', n.victimIp], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(ping.status, 0, ping.stderr);
      await waitFor('metrics arriving', () => (api(n, url, apiToken, `/api/v1/nodes/${nodeUuid}/metrics?step=1`).data?.points.length ?? 0) >= 2, 15_000, 200);
      assert.equal(api(n, url, apiToken, `/api/v1/incidents?node=${nodeUuid}`).meta.total, 0);

      const COUNT = 20_000;
      const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', '--udp', '-p', '7777', '-d', '64', '-i', 'u100', '-c', String(COUNT), '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000 });
      assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);

      const incident = await waitFor('incident resolved at the server', () => {
        const list = api(n, url, apiToken, `/api/v1/incidents?node=${nodeUuid}`);
        return list.data?.[0]?.status === 'resolved' ? list.data[0] : undefined;
      }, 30_000, 250);
      assert.equal(incident.attack_family, 'udp_flood');
      assert.ok(incident.peak_pps >= 3000, `peak ${incident.peak_pps}`);
      const detail = api(n, url, apiToken, `/api/v1/incidents/${incident.uuid}`).data;
      assert.deepEqual(detail.top_dst_ports[0]?.port, 7777);
      assert.equal(api(n, url, apiToken, `/api/v1/incidents?node=${nodeUuid}`).meta.total, 1, 'one flood, one incident');
      const points = api(n, url, apiToken, `/api/v1/nodes/${nodeUuid}/metrics?step=1`).data.points;
      assert.ok(Math.max(...points.map((p: any) => p.pps_max)) >= 3000, 'the flood shows in the per-second metrics');
    });
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
    rmSync(dir, { recursive: true, force: true });
  }
});
