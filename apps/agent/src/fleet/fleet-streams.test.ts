// Log and metrics streams through a real server and a real agent: opened only with a fresh,
// single-use ticket of the right role; a line appended to a file inside the roots reaches the
// SSE client within 1 s; a journald unit is followed through `journalctl -f -o json -u UNIT`
// (argument vector); metrics arrive every 5 s; a stream ends at its lifetime cap, and a reader
// that stops reading is dropped instead of buffered.
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createToken } from '@breakwater/server';
import { waitFor } from '@breakwater/testing';
import { openSse, startFleetBed, type FleetBed } from '../testing/fleet-bed.ts';

/** The workspace's audit log, newest first. */
const auditLog = (bed: FleetBed) => bed.t.server.ctx.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', bed.t.admin.workspaceId).orderBy('id', 'desc').limit(500).execute();

describe('fleet streams through the agent', () => {
  let bed: FleetBed;
  let viewer: string;
  let operator: string;
  let journalArgs: string;
  before(async () => {
    // A stand-in journalctl (a real process): records its argv, prints two journal entries as JSON, then follows.
    const dir = (await import('node:os')).tmpdir();
    const fake = join(dir, `bw-journalctl-${process.pid}`);
    journalArgs = `${fake}.args`;
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > '${journalArgs}'\n` +
      `echo '{"__REALTIME_TIMESTAMP":"1700000000000000","PRIORITY":"6","MESSAGE":"nginx started"}'\n` +
      `echo '{"__REALTIME_TIMESTAMP":"1700000001000000","PRIORITY":"3","MESSAGE":[104,105]}'\nexec sleep 600\n`);
    chmodSync(fake, 0o755);
    bed = await startFleetBed({ deps: { journalctl: fake } });
    const ctx = bed.t.server.ctx;
    viewer = (await createToken(ctx.db, bed.t.clock, bed.t.admin.workspaceId, 'api', 'viewer', 'viewer', null)).secret;
    operator = (await createToken(ctx.db, bed.t.clock, bed.t.admin.workspaceId, 'api', 'operator', 'operator', null)).secret;
  });
  after(async () => bed?.stop());

  const ticket = async (kind: 'logs' | 'metrics', token = operator, id = bed.node.uuid) =>
    bed.t.request('POST', `/api/agents/${id}/stream-tickets`, { token, body: { kind } });
  const logsUrl = (q: string, tk: string) => `${bed.t.url}/api/agents/${bed.node.uuid}/stream/logs?${q}&token=${encodeURIComponent(tk)}`;

  test('a line appended to a file inside the roots reaches the SSE stream within 1 s; the ticket opens one stream once', async () => {
    const file = join(bed.root, 'app.log');
    writeFileSync(file, 'old line, not streamed\n');
    const tk = await ticket('logs');
    assert.equal(tk.status, 200, JSON.stringify(tk.body));
    assert.ok(tk.body.expires_at - Math.floor(Date.now() / 1000) <= 60, 'a ticket lives at most 60 s');
    const s = await openSse(logsUrl(`source=file&path=${encodeURIComponent(file)}`, tk.body.ticket));
    assert.equal(s.status, 200, JSON.stringify(s.body));
    try {
      await waitFor('ready', () => s.events.find((e) => e.event === 'ready'), 5000);
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const line = `request ${i} ${Math.random()}`;
        const t0 = Date.now();
        appendFileSync(file, `${line}\n`);
        const got = await waitFor(`line ${i}`, () => s.events.find((e) => e.event === 'log' && e.data.line === line), 2000, 5);
        latencies.push(got.at - t0);
      }
      assert.ok(Math.max(...latencies) < 1000, `every line within 1 s: ${latencies.join(', ')} ms`);
      assert.ok(!s.events.some((e) => e.data?.line === 'old line, not streamed'), 'followed from the end');
      // a partial line waits for its end
      appendFileSync(file, 'half');
      appendFileSync(file, ' and the rest\n');
      await waitFor('joined line', () => s.events.find((e) => e.data?.line === 'half and the rest'), 2000);
      process.stderr.write(`log line latency (ms): ${latencies.join(', ')}\n`);
    } finally {
      s.close();
    }
    const reuse = await openSse(logsUrl(`source=file&path=${encodeURIComponent(file)}`, tk.body.ticket));
    assert.equal(reuse.status, 401);
    assert.equal((reuse.body as any).error.code, 'ticket_used');
    await waitFor('the agent stopped the stream', () => bed.t.server.ctx.fleet.streams.active === 0, 3000);
    const log = await auditLog(bed);
    assert.ok(log.some((e) => e.action === 'agent.stream.open' && JSON.parse(e.detail).result === 'opened' && JSON.parse(e.detail).path === file && e.actor === 'token:operator'));
    assert.ok(log.some((e) => e.action === 'agent.stream.close' && JSON.parse(e.detail).reason === 'client_closed'));
  });

  test('refused: a used ticket, an expired ticket, a ticket for another kind or agent, a viewer asking for logs, no ticket, a long-lived token as the ticket', async () => {
    const file = join(bed.root, 'app.log');
    const q = `source=file&path=${encodeURIComponent(file)}`;
    const v = await ticket('logs', viewer);
    assert.equal(v.status, 403, 'logs need an operator');
    assert.match(v.body.error.message, /operator/);
    assert.equal((await ticket('metrics', viewer)).status, 200, 'a viewer may watch metrics');

    const expired = await ticket('logs');
    bed.t.clock.advance(61_000);
    try {
      const r = await openSse(logsUrl(q, expired.body.ticket));
      assert.equal(r.status, 401);
      assert.equal((r.body as any).error.code, 'ticket_expired');
    } finally {
      bed.t.clock.advance(-61_000);
    }
    const metricsTicket = await ticket('metrics');
    const wrongKind = await openSse(logsUrl(q, metricsTicket.body.ticket));
    assert.equal(wrongKind.status, 403);
    const other = await bed.t.deploy(bed.t.admin);
    const otherTicket = await ticket('logs', operator, other.uuid);
    const wrongAgent = await openSse(logsUrl(q, otherTicket.body.ticket));
    assert.equal(wrongAgent.status, 403);
    assert.match((wrongAgent.body as any).error.message, /another agent/);
    const none = await openSse(`${bed.t.url}/api/agents/${bed.node.uuid}/stream/logs?${q}`);
    assert.ok(none.status === 401 || none.status === 403, String(none.status));
    const longLived = await openSse(logsUrl(q, operator));
    assert.equal(longLived.status, 401, 'an API token is not a stream ticket');
    assert.equal((longLived.body as any).error.code, 'ticket_unknown');

    // RBAC is checked again at open: a user demoted after the ticket was issued opens nothing
    const ctx = bed.t.server.ctx;
    const demoted = await createToken(ctx.db, bed.t.clock, bed.t.admin.workspaceId, 'api', 'soon-revoked', 'operator', null);
    const tk = await ticket('logs', demoted.secret);
    assert.equal(tk.status, 200);
    await ctx.db.updateTable('tokens').set({ revoked_at: Date.now() }).where('id', '=', demoted.id).execute();
    const revoked = await openSse(logsUrl(q, tk.body.ticket));
    assert.equal(revoked.status, 401);
    assert.match((revoked.body as any).error.message, /revoked/);
  });

  test('refused by the agent: paths outside its roots or its own files, a bad unit name; the stream never opens', async () => {
    for (const [q, status, code] of [
      [`source=file&path=${encodeURIComponent('/etc/hostname')}`, 403, 'outside_roots'],
      [`source=file&path=${encodeURIComponent(`${bed.root}/../x`)}`, 400, 'bad_path'],
      [`source=file&path=${encodeURIComponent(bed.configPath)}`, 403, 'forbidden_path'],
      ['source=journald&unit=-x', 400, 'validation_error'],
      ['source=journald', 400, 'validation_error'],
      [`source=file&path=${encodeURIComponent(join(bed.root, 'nope.log'))}`, 404, 'not_found'],
    ] as const) {
      const tk = await ticket('logs');
      const r = await openSse(logsUrl(q, tk.body.ticket));
      assert.equal(r.status, status, `${q}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body as any).error.code, code, q);
    }
    assert.equal(bed.t.server.ctx.fleet.streams.active, 0);
  });

  test('journald: the unit is followed through journalctl -f -o json -u UNIT, its entries become log events', async () => {
    const tk = await ticket('logs');
    const s = await openSse(logsUrl('source=journald&unit=nginx.service', tk.body.ticket));
    assert.equal(s.status, 200, JSON.stringify(s.body));
    try {
      const got = await waitFor('two journal lines', () => (s.events.filter((e) => e.event === 'log').length >= 2 ? s.events.filter((e) => e.event === 'log') : undefined), 5000);
      assert.deepEqual(got.map((e) => e.data), [
        { ts: 1_700_000_000_000, line: 'nginx started', unit: 'nginx.service', priority: 6 },
        { ts: 1_700_000_001_000, line: 'hi', unit: 'nginx.service', priority: 3 },
      ]);
      assert.deepEqual(readFileSync(journalArgs, 'utf8').trim().split('\n'), ['-f', '-o', 'json', '-u', 'nginx.service']);
    } finally {
      s.close();
    }
  });

  test('metrics: an event every 5 s with the host\'s cpu, memory, disk, uptime and load', { timeout: 30_000 }, async () => {
    const tk = await ticket('metrics', viewer);
    const s = await openSse(`${bed.t.url}/api/agents/${bed.node.uuid}/stream/metrics?token=${tk.body.ticket}`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    try {
      const m = await waitFor('three metrics events', () => (s.events.filter((e) => e.event === 'metrics').length >= 3 ? s.events.filter((e) => e.event === 'metrics') : undefined), 16_000, 50);
      const gaps = m.slice(1).map((e, i) => e.at - m[i]!.at);
      process.stderr.write(`metrics event gaps (ms): ${gaps.join(', ')}\n`);
      for (const g of gaps) assert.ok(g > 4500 && g < 5500, `every 5 s: ${gaps.join(', ')}`);
      const h = m[2]!.data.host;
      for (const k of ['cpu_percent', 'mem_percent', 'disk_percent']) assert.ok(h[k] >= 0 && h[k] <= 100, `${k}: ${h[k]}`);
      assert.ok(h.uptime_s > 0);
      // The 1-minute load average as /proc/loadavg has it (two decimals), never negative.
      // (Compared as text: 2.18 * 100 is 218.00000000000003 in floating point.)
      assert.ok(typeof h.load1 === 'number' && h.load1 >= 0 && Number(h.load1.toFixed(2)) === h.load1, `load1: ${h.load1}`);
    } finally {
      s.close();
    }
  });
});

describe('fleet stream limits', () => {
  let bed: FleetBed;
  before(async () => {
    bed = await startFleetBed({ serverDeps: { fleet: { streams: { maxLifetimeMs: 1500, maxBufferedBytes: 64 * 1024 } } } });
  });
  after(async () => bed?.stop());
  const ticket = async () => (await bed.t.request('POST', `/api/agents/${bed.node.uuid}/stream-tickets`, { body: { kind: 'logs' } })).body.ticket as string;

  test('a stream ends at its lifetime cap with a last `end` event, and the agent stops following', async () => {
    const file = join(bed.root, 'a.log');
    writeFileSync(file, '');
    const s = await openSse(`${bed.t.url}/api/agents/${bed.node.uuid}/stream/logs?source=file&path=${encodeURIComponent(file)}&token=${await ticket()}`);
    assert.equal(s.status, 200);
    await s.ended;
    const end = s.events.at(-1)!;
    assert.deepEqual([end.event, end.data.reason], ['end', 'lifetime']);
    await waitFor('stopped on both sides', () => bed.t.server.ctx.fleet.streams.active === 0 && bed.t.server.ctx.fleet.links.open === 0, 3000);
  });

  test('a reader that stops reading is dropped once what waits for it passes the bound, never buffered without end', async () => {
    const file = join(bed.root, 'flood.log');
    writeFileSync(file, '');
    const tk = await ticket();
    // a raw client that sends the request and then never reads
    const sock = connect(Number(new URL(bed.t.url).port), '127.0.0.1');
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.write(`GET /api/agents/${bed.node.uuid}/stream/logs?source=file&path=${encodeURIComponent(file)}&token=${tk} HTTP/1.1\r\nHost: x\r\n\r\n`);
    sock.pause();
    await waitFor('stream open', () => bed.t.server.ctx.fleet.streams.active === 1, 5000);
    const line = `${'x'.repeat(1000)}\n`;
    const before = bed.t.server.ctx.fleet.streams.droppedSlow;
    try {
      for (let i = 0; i < 200 && bed.t.server.ctx.fleet.streams.droppedSlow === before; i++) {
        appendFileSync(file, line.repeat(1000)); // 1 MB at a time, until the server gives up on the reader
        await new Promise((r) => setImmediate(r));
      }
      await waitFor('the slow reader dropped', () => bed.t.server.ctx.fleet.streams.droppedSlow === before + 1, 10_000);
      await waitFor('and its stream closed at the agent', () => bed.t.server.ctx.fleet.streams.active === 0 && bed.t.server.ctx.fleet.links.open === 0, 5000);
    } finally {
      sock.destroy();
    }
  });
});
