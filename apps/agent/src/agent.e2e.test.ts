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

test('agent → server: floods of each family open an incident of that family at the server, each resolving after its flood', { timeout: 300_000 }, async () => {
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

      // One flood per family, in turn; each must become its own incident with the right verdict.
      const FLOODS = [
        { family: 'udp_flood', subtype: null, port: 7777, args: ['--udp', '-p', '7777', '-d', '64'] },
        { family: 'syn_flood', subtype: null, port: 80, args: ['-S', '-p', '80', '--rand-source'] },
        { family: 'icmp_flood', subtype: null, port: null, args: ['--icmp', '-d', '56'] },
        { family: 'dns_flood', subtype: null, port: 53, args: ['--udp', '-p', '53', '-d', '40'] },
        { family: 'udp_flood', subtype: 'ntp_amplification', port: 40000, args: ['--udp', '-s', '123', '-k', '-p', '40000', '-d', '440'] },
      ];
      const COUNT = 15_000;
      for (const [i, f] of FLOODS.entries()) {
        const flood = spawnSync('ip', ['netns', 'exec', n.attacker, 'hping3', ...f.args, '-i', 'u100', '-c', String(COUNT), '-q', n.victimIp], { encoding: 'utf8', timeout: 60_000 });
        assert.ok(flood.status === 0 || flood.status === 1, flood.stderr);
        const incident = await waitFor(`${f.family} incident resolved at the server`, () => {
          const list = api(n, url, apiToken, `/api/v1/incidents?node=${nodeUuid}&limit=100`);
          return list.meta?.total === i + 1 && list.data[0].status === 'resolved' ? list.data[0] : undefined;
        }, 30_000, 250);
        const detail = api(n, url, apiToken, `/api/v1/incidents/${incident.uuid}`).data;
        const what = `${f.args.join(' ')} → ${detail.attack_family}/${detail.attack_subtype}`;
        assert.equal(detail.attack_family, f.family, what);
        if (f.subtype) assert.equal(detail.attack_subtype, f.subtype, what);
        if (f.port !== null) assert.equal(detail.top_dst_ports[0]?.port, f.port, what);
        assert.ok(detail.peak_pps >= 3000, `${what}: peak ${detail.peak_pps}`);
      }
      const points = api(n, url, apiToken, `/api/v1/nodes/${nodeUuid}/metrics?step=1`).data.points;
      assert.ok(Math.max(...points.map((p: any) => p.pps_max)) >= 3000, 'the floods show in the per-second metrics');
    });
  } finally {
    for (const c of children.reverse()) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
    rmSync(dir, { recursive: true, force: true });
  }
});
