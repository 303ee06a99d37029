// bench/dashboard: the overview's first load on localhost in Debian's Chromium — from navigation
// start to the live workspace chart drawn with data from the stream — and the size of the
// JavaScript and CSS the browser downloads for that first page, gzipped (and every chunk, for the
// record). Targets: under 1 s and under 150 KB.
//
//   node bench/dashboard/run.ts [--runs 10] [--nodes 20]
//
// One uncounted warm-up page first; then each run opens a fresh browser context (empty cache, new connection), already signed in, with
// the server holding 5 minutes of per-second history for every node and agents still reporting.
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createServer, resolveConfig } from '@breakwater/server';
import { WEB, ensureBuilt, launch } from '@breakwater/web/testing';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, nodes: { type: 'string', default: '20' } } });
const RUNS = Number(values.runs);
const NODES = Number(values.nodes);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs: a positive integer');
if (!Number.isInteger(NODES) || NODES < 1) throw new Error('--nodes: a positive integer');

ensureBuilt();
const assets = join(WEB, 'dist', 'assets');
const files = readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
const size = (ext: string) => files.filter((f) => f.endsWith(ext)).reduce((a, f) => {
  const raw = readFileSync(join(assets, f));
  return { raw: a.raw + raw.length, gz: a.gz + gzipSync(raw, { level: 9 }).length };
}, { raw: 0, gz: 0 });
const js = size('.js');
const css = size('.css');
// What the first page loads: the assets index.html names (entry script, its modulepreloads, CSS);
// every other page is a chunk fetched when first opened (apps/web/src/pages/lazy.ts).
const entryFiles = [...readFileSync(join(WEB, 'dist', 'index.html'), 'utf8').matchAll(/(?:src|href)="\/assets\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
const entry = entryFiles.reduce((a, f) => {
  const raw = readFileSync(join(assets, f));
  return { raw: a.raw + raw.length, gz: a.gz + gzipSync(raw, { level: 9 }).length };
}, { raw: 0, gz: 0 });

const dir = mkdtempSync(join(tmpdir(), 'bw-bench-dashboard-'));
const server = await createServer(resolveConfig({ port: 0, dataDir: dir, logLevel: 'error' })).start({ bootstrapIfEmpty: true });
const b = server.bootstrapped!;
const call = async (path: string, token: string, body: unknown, extra: Record<string, string> = {}) => {
  const r = await fetch(server.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });
  const j = (await r.json()) as Record<string, string>;
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
};
const nodes: { uuid: string; key: string }[] = [];
const now = Date.now();
for (let i = 0; i < NODES; i++) {
  const n = await call('/api/deploy', b.deploy_token, { name: `bench-${i}`, ip: `192.0.2.${i + 1}` });
  const node = { uuid: n.node_uuid!, key: n.api_key! };
  nodes.push(node);
  const history = Array.from({ length: 300 }, (_, s) => ({ pps: 1000 + i * 10 + (s % 30), bps: 8e6, tcp_pct: 70, udp_pct: 25, icmp_pct: 5, recorded_at: new Date(now - (300 - s) * 1000).toISOString() }));
  await call('/api/v1/agent/metrics', node.key, history, { 'x-node-uuid': node.uuid });
}
const feeder = setInterval(() => {
  for (const n of nodes) void call('/api/v1/agent/metrics', n.key, { pps: 1200, bps: 9e6, tcp_pct: 70, udp_pct: 25, icmp_pct: 5 }, { 'x-node-uuid': n.uuid }).catch(() => undefined);
}, 1000);

const browser = await launch();
const drawn: number[] = [];
const firstFrame: number[] = [];
const domReady: number[] = [];
try {
  const login = await fetch(`${server.url}/api/dash/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: b.admin_email, password: b.admin_password }) });
  const session = /bw_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
  // Run 0 warms Chromium itself (its first page pays for process start-up); it is not counted.
  for (let run = -1; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'bw_session', value: session, url: server.url }]);
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.locator('[data-chart="workspace"][data-drawn="true"]').waitFor({ timeout: 10_000 });
    await page.waitForFunction(`performance.getEntriesByName('bw:live:first-frame').length > 0`, undefined, { timeout: 10_000 });
    // Evaluated in the page (browser types, not Node's).
    const m = await page.evaluate<{ drawn: number; frame: number; dom: number }>(`({
      drawn: performance.getEntriesByName('bw:chart:workspace')[0].startTime,
      frame: performance.getEntriesByName('bw:live:first-frame')[0].startTime,
      dom: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    })`);
    if (run >= 0) {
      drawn.push(m.drawn);
      firstFrame.push(m.frame);
      domReady.push(m.dom);
    }
    await context.close();
  }
} finally {
  clearInterval(feeder);
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return `p50 ${Math.round(at(50))} ms, p95 ${Math.round(at(95))} ms, max ${Math.round(s.at(-1)!)} ms`;
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`bench/dashboard: ${RUNS} cold loads of the overview (fresh context each), ${NODES} nodes with 300 s of history, agents reporting every second`);
console.log(`DOMContentLoaded:                 ${stats(domReady)}`);
console.log(`first live frame received:        ${stats(firstFrame)}`);
console.log(`workspace chart drawn (with data): ${stats(drawn)} (target < 1000 ms)`);
console.log(`  each run: ${drawn.map((x) => Math.round(x)).join(', ')} ms; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);
console.log(`first load (entry JS + CSS, ${entryFiles.length} files): ${kb(entry.raw)} raw, ${kb(entry.gz)} gzipped (target < 150 KB)`);
console.log(`all JavaScript: ${kb(js.raw)} raw, ${kb(js.gz)} gzipped; CSS: ${kb(css.raw)} raw, ${kb(css.gz)} gzipped; ${files.length} files (pages beyond the overview load on first use)`);
