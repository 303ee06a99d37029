// HTTP floods end to end: Debian's nginx serves in the victim namespace (config written to a temp
// dir), `breakwater server` and `breakwater agent` run beside it with the agent following nginx's
// access log and the socket table; ab, wrk and a slow client flood it from the attacker namespace,
// bounded in count. Verdicts are read back from the server's REST API. The access log is rotated
// (rename + reopen) in the middle of a flood, and every line nginx wrote is counted by the agent.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor, withNamespaces } from '@breakwater/testing';
import { startStack } from '../testing/stack.ts';

const PAGES = Array.from({ length: 20 }, (_, i) => `/page${i}.html`);

function nginxConf(dir: string, ip: string): string {
  return `worker_processes 1;
daemon off;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log ${dir}/access.log combined;
  client_body_temp_path ${dir}/tmp/body; proxy_temp_path ${dir}/tmp/proxy; fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi; scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen ${ip}:80;
    root ${dir}/www;
    location = /login { return 401; }
    location /api/ { return 200 "ok\\n"; }
  }
}
`;
}

test('nginx flooded by ab/wrk from another namespace: http_flood incidents with the right subtype and top source; a benign mix at the same connection rate opens none; rotation loses no line', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-http-'));
  const web = join(dir, 'nginx');
  for (const d of ['www', 'tmp']) mkdirSync(join(web, d), { recursive: true });
  writeFileSync(join(web, 'www', 'index.html'), '<h1>home</h1>\n');
  for (const p of PAGES) writeFileSync(join(web, 'www', p), `<p>${p}</p>\n`);
  writeFileSync(join(dir, 'body.txt'), 'user=admin&password=hunter2');
  writeFileSync(join(dir, 'bust.lua'), `local n = 0
request = function() return wrk.format("GET", "/index.html?v=" .. math.random(1, 1000000000)) end
response = function() n = n + 1; if n >= 1200 then wrk.thread:stop() end end
`);
  const children: ChildProcess[] = [];
  try {
    await withNamespaces(async (n) => {
      writeFileSync(join(web, 'nginx.conf'), nginxConf(web, n.victimIp));
      const nginx = spawn('ip', ['netns', 'exec', n.victim, 'nginx', '-c', join(web, 'nginx.conf'), '-p', web], { stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(nginx);
      await waitFor('nginx started', () => existsSync(join(web, 'nginx.pid')) && existsSync(join(web, 'access.log')), 10_000);
      const log = join(web, 'access.log');
      const stack = await startStack(n, dir, { thresholds: { pps: 10_000_000, bps: 100_000_000_000, synPps: 0, icmpPps: 0, fragmentPps: 0 }, baseline: { enabled: false } }, {
        agentConfig: {
          http: {
            logs: [{ path: log, format: 'combined' }],
            ports: [80],
            socket_interval_ms: 250,
            detection: {
              // Total and per-source rates off: benign and attack both come from one address at the same rate here.
              thresholds: { rps: 0, sourceRps: 0, postRps: 300, uriRps: 300, novelQueryRps: 100, loginFailureRps: 5, openConnections: 0, sourceConnections: 300 },
              baseline: { enabled: false }, cooldownMs: 1000,
            },
          },
        },
      });
      try {
        const url = (p: string) => `http://${n.victimIp}${p}`;
        const inAttacker = (args: string[], timeout = 60_000) => spawnSync('ip', ['netns', 'exec', n.attacker, ...args], { encoding: 'utf8', timeout });
        const incidents = () => stack.get(`/api/v1/incidents?node=${stack.nodeUuid}&limit=100`);

        // The same load twice, 20 ab clients of one connection per request each: first the 20 pages
        // (one client each), then every client on one URI. Only the request mix differs.
        const load = async (paths: string[], each: number, during?: () => Promise<void>) => {
          const t0 = Date.now();
          const runs = paths.map((p) => new Promise<number>((resolve) => {
            const c = spawn('ip', ['netns', 'exec', n.attacker, 'ab', '-q', '-n', String(each), '-c', '1', url(p)], { stdio: 'ignore' });
            c.on('exit', (code) => resolve(code ?? 1));
          }));
          await during?.();
          const codes = await Promise.all(runs);
          assert.deepEqual(codes.filter((c) => c !== 0), [], 'every ab run completed');
          return (paths.length * each) / ((Date.now() - t0) / 1000);
        };
        const benignRate = await load(PAGES, 100);
        // The log is rotated (rename + reopen, as logrotate does for nginx) in the middle of the flood.
        const attackRate = await load(PAGES.map(() => '/index.html'), 100, async () => {
          await waitFor('the flood reaching the log', () => statSync(log).size > 300 * 100, 30_000);
          renameSync(log, `${log}.1`);
          assert.equal(spawnSync('ip', ['netns', 'exec', n.victim, 'nginx', '-c', join(web, 'nginx.conf'), '-p', web, '-s', 'reopen']).status, 0);
        });
        console.log(`connection rates: benign mix ${benignRate.toFixed(0)}/s, single-URI flood ${attackRate.toFixed(0)}/s (20 ab clients, one connection per request)`);
        assert.ok(benignRate >= attackRate * 0.5, `the benign mix ran at a comparable connection rate: ${benignRate.toFixed(0)} vs ${attackRate.toFixed(0)}/s`);

        const began = Date.now();
        const expectNext = async (subtype: string, nth: number) => {
          // The agent's own log says when its incident resolved (cheap to watch); then the server is asked.
          await waitFor(`${subtype} incident resolved at the agent`, () => (stack.agentLog().match(/incident resolved: http_flood/g)?.length ?? 0) >= nth, 40_000, 50);
          const inc = await waitFor(`${subtype} incident resolved at the server`, () => {
            const list = incidents();
            return list.meta?.total >= nth && list.data[0].status === 'resolved' ? list.data[0] : undefined;
          }, 40_000, 250);
          // The first incident is the attack's: everything the benign load wrote came before it in the log.
          assert.equal(incidents().meta.total, nth, `exactly ${nth} incident(s): the benign mix opened none`);
          const d = stack.get(`/api/v1/incidents/${inc.uuid}`).data;
          console.log(`${subtype} resolved at the server after ${((Date.now() - began) / 1000).toFixed(1)} s`);
          assert.equal(d.attack_family, 'http_flood');
          assert.equal(d.attack_subtype, subtype, d.details?.explanation);
          assert.equal(d.top_src_ips[0]?.ip, n.attackerIp, JSON.stringify(d.top_src_ips));
          assert.equal(d.details.http.top_sources[0].key, n.attackerIp);
          return d;
        };

        const hammer = await expectNext('uri_hammering', 1);
        assert.equal(hammer.details.http.top_uris[0].key, '/index.html');
        assert.match(hammer.details.http.top_user_agents[0].key, /ApacheBench/);
        assert.equal(hammer.details.http.error_share, 0);

        const post = inAttacker(['ab', '-q', '-n', '1200', '-c', '20', '-p', join(dir, 'body.txt'), '-T', 'application/x-www-form-urlencoded', url('/api/submit')]);
        assert.equal(post.status, 0, post.stderr);
        await expectNext('post_flood', 2);

        // wrk stops its thread after 1200 responses (bust.lua) and runs 1 s at most.
        const bust = inAttacker(['timeout', '-s', 'INT', '10', 'wrk', '-t', '1', '-c', '20', '-d', '1s', '-s', join(dir, 'bust.lua'), url('/')]);
        assert.ok(bust.status === 0, bust.stderr);
        await expectNext('cache_busting', 3);

        const login = inAttacker(['ab', '-q', '-n', '120', '-c', '4', '-p', join(dir, 'body.txt'), '-T', 'application/x-www-form-urlencoded', url('/login')]);
        assert.equal(login.status, 0, login.stderr);
        const brute = await expectNext('login_brute_force', 4);
        assert.equal(brute.details.http.status_share['4xx'], 100);
        assert.ok(brute.details.http.error_share >= 99);

        // Slowloris-like: 400 connections each holding half a request header; the socket table sees them.
        const slow = spawn('ip', ['netns', 'exec', n.attacker, process.execPath, '--input-type=module', '-e', `
          import net from 'node:net';
          const socks = [];
          for (let i = 0; i < 400; i++) { const s = net.connect(80, ${JSON.stringify(n.victimIp)}); s.on('error', () => {}); s.write('GET / HTTP/1.1\\r\\nHost: v\\r\\n'); socks.push(s); }
          process.stdin.on('data', () => { for (const s of socks) s.destroy(); process.exit(0); });
        `], { stdio: ['pipe', 'inherit', 'inherit'] });
        children.push(slow);
        await waitFor('slowloris incident open', () => (stack.agentLog().match(/incident opened: http_flood/g)?.length ?? 0) >= 5, 30_000, 50);
        slow.stdin.write('done\n');
        const held = await expectNext('slowloris', 5);
        assert.ok(held.details.http.peak_open_connections >= 300, JSON.stringify(held.details.http));
      } finally {
        await stack.stopAll();
      }
      // Every line nginx wrote (both files) was read: none lost to the rotation, none skipped.
      const written = [log, `${log}.1`].map((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).length).reduce((a, b) => a + b, 0);
      const counted = JSON.parse(/http log lines: (\{.*\})/.exec(stack.agentLog())?.[1] ?? '{}');
      assert.equal(counted.rotations, 1);
      assert.equal(counted.lines, written, `lines written ${written}, counted ${JSON.stringify(counted)}`);
      assert.equal(counted.parsed, written);
    });
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
    rmSync(dir, { recursive: true, force: true });
  }
});
