// The dashboard's live stream (SSE on the session cookie) and the static dashboard route.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { users } from '@breakwater/db';
import { BACKENDS, readSse, sqliteBackend, type SseEvent } from '@breakwater/testing';
import { hashPassword } from '../src/auth/credentials.ts';
import { errorCode, startTestServer, type TestServer } from './harness.ts';


/** Reads an SSE response; `next` waits (with a deadline) for the first event that matches. */
function sseReader(res: Response) {
  const sse = readSse(res.body!);
  const seen: SseEvent[] = [];
  let done = false;
  const pump = (async () => {
    for await (const e of sse.events) if (e.data !== null) seen.push(e);
    done = true;
  })();
  let from = 0;
  return {
    seen,
    get ended() { return done; },
    async next(what: string, match: (e: SseEvent) => boolean, timeoutMs = 3000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (; from < seen.length; from++) if (match(seen[from]!)) return seen[from++]!;
        if (done) throw new Error(`stream ended before ${what}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await sse.cancel();
      await pump;
    },
  };
}

for (const backend of BACKENDS) {
  describe(`dashboard live stream on ${backend.name}`, () => {
    let t: TestServer;
    let cookie: string;
    before(async () => {
      t = await startTestServer(backend);
      cookie = await t.login(t.admin.email, t.admin.password);
    });
    after(async () => t.stop());

    test('needs a session: no cookie and API tokens are refused with the envelope', async () => {
      const none = await t.request('GET', '/api/dash/live', { token: null });
      assert.equal(none.status, 401);
      assert.equal(errorCode(none), 'unauthorized');
      const bearer = await t.request('GET', '/api/dash/live', { token: t.admin.apiToken });
      assert.equal(bearer.status, 401);
    });

    test('history, per-second samples, and a node flipping to attack and back within 2 s of the report', async () => {
      const node = await t.deploy(t.admin, 'live-a');
      const quiet = await t.deploy(t.admin, 'live-b');
      const now = Date.now();
      // Ten seconds of history on one node, at 1000 pps.
      const past = Array.from({ length: 10 }, (_, i) => ({ pps: 1000, bps: 8e6, tcp_pct: 60, udp_pct: 30, icmp_pct: 10, recorded_at: new Date(now - (10 - i) * 1000).toISOString() }));
      assert.equal((await t.agent(node, 'POST', '/metrics', past)).status, 200);
      await t.agent(quiet, 'POST', '/heartbeat', { version: '1.0.0' });

      const res = await fetch(`${t.url}/api/dash/live`, { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const s = sseReader(res);
      try {
        const hello = await s.next('hello', (e) => e.event === 'hello');
        assert.equal(hello.data.role, 'admin');
        const hist = hello.data.history as [number, number, number][];
        assert.ok(hist.length >= 9, `history has the stored seconds (${hist.length})`);
        assert.ok(hist.every(([, pps, bps]) => pps === 1000 && bps === 8e6), 'history sums the stored samples per second');

        // A new sample shows in a frame as the node's latest and as one streamed sample.
        const ts = Date.now();
        await t.agent(node, 'POST', '/metrics', { pps: 5000, bps: 4e7, tcp_pct: 10, udp_pct: 85, icmp_pct: 5, recorded_at: new Date(ts).toISOString() });
        const f = await s.next('frame with the new sample', (e) => e.event === 'frame' && e.data.nodes.some((n: any) => n.uuid === node.uuid && n.pps === 5000));
        const mine = f.data.nodes.find((n: any) => n.uuid === node.uuid);
        assert.equal(mine.status, 'online');
        assert.equal(f.data.workspace.pps, 5000, 'workspace total is the sum of latest samples (the quiet node has none)');
        assert.equal(f.data.workspace.udp_pct, 85);
        assert.equal(f.data.counts.total >= 2, true);
        const newest = ts - (ts % 1000);
        // The sample is streamed exactly once across frames.
        await s.next('one more frame', (e) => e.event === 'frame');
        const streamed = s.seen.filter((e) => e.event === 'frame').flatMap((e) => e.data.nodes.filter((n: any) => n.uuid === node.uuid).flatMap((n: any) => n.samples))
          .filter((x: number[]) => x[0] === newest);
        assert.deepEqual(streamed, [[newest, 5000, 4e7, 10, 85, 5]]);

        const t0 = Date.now();
        const opened = await t.agent(node, 'POST', '/incidents', { attack_family: 'udp_flood', severity: 'high', peak_pps: 90_000, peak_bps: 7e8 });
        assert.equal(opened.status, 200);
        const ev = await s.next('incident.opened event', (e) => e.event === 'live' && e.data.type === 'incident.opened');
        assert.equal(ev.data.node_id, node.uuid);
        assert.equal(ev.data.incident_id, opened.body.uuid);
        const attack = await s.next('node in attack', (e) => e.event === 'frame' && e.data.nodes.find((n: any) => n.uuid === node.uuid)?.status === 'attack', 2000);
        assert.ok(Date.now() - t0 < 2000, `attack shown ${Date.now() - t0} ms after the report`);
        assert.equal(attack.data.active_incidents, 1);
        assert.equal(attack.data.nodes.find((n: any) => n.uuid === quiet.uuid).status, 'online', 'other nodes keep their status');

        const t1 = Date.now();
        await t.agent(node, 'POST', `/incidents/${opened.body.uuid}/resolve`, { severity: 'high' });
        await s.next('incident.resolved event', (e) => e.event === 'live' && e.data.type === 'incident.resolved');
        const back = await s.next('node back online', (e) => e.event === 'frame' && e.data.nodes.find((n: any) => n.uuid === node.uuid)?.status === 'online', 2000);
        assert.ok(Date.now() - t1 < 2000);
        assert.equal(back.data.active_incidents, 0);
      } finally {
        await s.close();
      }
    });

    test('streams are per workspace: another workspace sees none of these nodes or events', async () => {
      const other = await t.addWorkspace();
      const email = `other-${Date.now()}@example.com`;
      await users.insertUser(t.server.ctx.db, {
        id: randomUUID(), workspace_id: other.workspaceId, email, name: 'Other', role: 'viewer',
        password_hash: await hashPassword('other-password-123'), created_at: Date.now(), disabled_at: null,
      });
      const otherCookie = await t.login(email, 'other-password-123');
      const res = await fetch(`${t.url}/api/dash/live`, { headers: { cookie: otherCookie } });
      const s = sseReader(res);
      try {
        const hello = await s.next('hello', (e) => e.event === 'hello');
        assert.equal(hello.data.role, 'viewer');
        assert.deepEqual(hello.data.history, []);
        const node = await t.deploy(t.admin, 'live-c');
        await t.agent(node, 'POST', '/incidents', { attack_family: 'syn_flood', severity: 'low', peak_pps: 1000 });
        const f = await s.next('frame', (e) => e.event === 'frame');
        assert.deepEqual(f.data.nodes, []);
        await s.next('a later frame', (e) => e.event === 'frame');
        assert.ok(!s.seen.some((e) => e.event === 'live'), 'no events from another workspace');
      } finally {
        await s.close();
      }
    });

    test('an open stream does not hold the server open at stop', async () => {
      const extra = await startTestServer(backend);
      const c = await extra.login(extra.admin.email, extra.admin.password);
      const s = sseReader(await fetch(`${extra.url}/api/dash/live`, { headers: { cookie: c } }));
      await s.next('frame', (e) => e.event === 'frame');
      const t0 = Date.now();
      await extra.stop();
      assert.ok(Date.now() - t0 < 5000);
      await s.next('end', () => false, 3000).catch(() => undefined);
      assert.equal(s.ended, true, 'the stream ends when the server stops');
    });
  });
}

describe('dashboard files', () => {
  let t: TestServer;
  let dir: string;
  const saved = process.env.BREAKWATER_WEB_DIR;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bw-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-Ab12.js"></script>');
    writeFileSync(join(dir, 'assets', 'app-Ab12.js'), 'console.log("app")');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    process.env.BREAKWATER_WEB_DIR = dir;
    t = await startTestServer(sqliteBackend);
  });
  after(async () => {
    await t.stop();
    if (saved === undefined) delete process.env.BREAKWATER_WEB_DIR;
    else process.env.BREAKWATER_WEB_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  test('index for the app routes, never cached, with a CSP', async () => {
    for (const path of ['/', '/nodes/8d7c', '/incidents?status=active', '/settings/tokens']) {
      const r = await fetch(t.url + path);
      assert.equal(r.status, 200, path);
      assert.match(await r.text(), /<div id="root">/);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
      assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    }
  });

  test('hashed assets cached for a year; other files briefly; a missing asset is a 404', async () => {
    const js = await fetch(`${t.url}/assets/app-Ab12.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
    assert.equal(await js.text(), 'console.log("app")');
    const icon = await fetch(`${t.url}/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.doesNotMatch(icon.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${t.url}/assets/app-old.js`)).status, 404);
  });

  test('never shadows the API, never leaves its folder', async () => {
    const api = await t.request('GET', '/api/v1/no-such-thing');
    assert.equal(api.status, 404);
    assert.equal(errorCode(api), 'not_found');
    const dash = await t.request('GET', '/api/dash/nothing', { token: null });
    assert.equal(errorCode(dash), 'not_found');
    assert.equal((await t.request('GET', '/api/v1/health', { token: null })).status, 200);
    for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fpackage.json']) {
      const r = await fetch(t.url + path);
      assert.ok(!(await r.text()).includes('root:'), path);
    }
  });
});

describe('dashboard not built', () => {
  test('a clear page saying how to build it, and the API still works', async () => {
    const saved = process.env.BREAKWATER_WEB_DIR;
    const empty = mkdtempSync(join(tmpdir(), 'bw-web-empty-'));
    process.env.BREAKWATER_WEB_DIR = empty;
    const t = await startTestServer(sqliteBackend);
    try {
      const r = await fetch(`${t.url}/incidents`);
      assert.equal(r.status, 503);
      assert.match(await r.text(), /not built.*npm run build -w apps\/web/s);
      assert.equal((await t.request('GET', '/api/v1/health', { token: null })).status, 200);
    } finally {
      await t.stop();
      if (saved === undefined) delete process.env.BREAKWATER_WEB_DIR;
      else process.env.BREAKWATER_WEB_DIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
