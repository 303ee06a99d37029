// Fleet streams and file transfers on any replica: three server replicas in this process on one
// real PostgreSQL, a simulated agent (the fleet protocol on the agent WebSocket, as the field agent
// speaks it) connected to replica B only. Streams and files are asked on C (and A): what the agent
// sends arrives, file bytes go up and come back identical, either side leaving ends the other, and
// 409 agent_offline only when no replica holds the agent's socket.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FILE_CHUNK_BYTES } from '@breakwater/contracts';
import { createTestDatabase, readSse, waitFor } from '@breakwater/testing';
import { createServer, resolveConfig, type RunningServer } from '../src/index.ts';

interface Replica {
  name: string;
  server: RunningServer;
  url: string;
  dir: string;
}

let db: { url: string; drop: () => Promise<void> };
const replicas: Replica[] = [];
let creds: { api_token: string; deploy_token: string };
let A: Replica, B: Replica, C: Replica;

async function startReplica(name: string, secretKey: string, bootstrap: boolean): Promise<Replica> {
  const dir = mkdtempSync(join(tmpdir(), `bw-fleet-${name}-`));
  const config = resolveConfig({
    port: 0, host: '127.0.0.1', databaseUrl: db.url, dataDir: dir, logLevel: 'silent', secretKey,
    cluster: { replicaId: `replica-${name}`, busPollMs: 200, leaseTtlMs: 2000, leaseRenewMs: 500 },
  });
  const server = await createServer(config, { fleet: { relay: { answerTimeoutMs: 1500, aliveMs: 1000 } } }).start({ bootstrapIfEmpty: bootstrap });
  const r = { name, server, url: server.url, dir };
  replicas.push(r);
  return r;
}

async function api(r: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(r.url + path, { method, headers: { authorization: `Bearer ${creds.api_token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

type Msg = Record<string, any> & { type: string };

/** The agent end of the fleet protocol: streams it is asked for, files kept in memory. */
class SimAgent {
  readonly node: { uuid: string; key: string };
  readonly seen: Msg[] = [];
  readonly files = new Map<string, Buffer>();
  /** What to answer a stream.open with: started (then the test drives it) or a refusal. */
  refuse: { code: string; message: string } | null = null;
  ws: WebSocket | null = null;
  hello = false;
  readonly #uploads = new Map<string, { dest: string; size: number; parts: Buffer[]; got: number }>();
  readonly #downloads = new Map<string, { data: Buffer; next: number }>();

  constructor(node: { uuid: string; key: string }) {
    this.node = node;
  }

  async connect(to: Replica): Promise<void> {
    const ws = new WebSocket(`${to.url.replace(/^http/, 'ws')}/api/v1/agent/stream`, { headers: { authorization: `Bearer ${this.node.key}`, 'x-node-uuid': this.node.uuid } });
    this.ws = ws;
    this.hello = false;
    ws.onmessage = (ev) => this.#on(JSON.parse(String(ev.data)));
    await waitFor('the agent socket to say hello', () => this.hello, 10_000);
  }

  async disconnect(): Promise<void> {
    const ws = this.ws!;
    const closed = new Promise((r) => (ws.onclose = r));
    ws.close();
    await closed;
  }

  send(m: Msg): void {
    this.ws!.send(JSON.stringify(m));
  }

  opened(kind: string): Msg | undefined {
    return this.seen.find((m) => m.type === 'stream.open' && m.kind === kind && !this.seen.some((x) => x.type === 'stream.close' && x.stream_id === m.stream_id));
  }

  #chunk(id: string): void {
    const d = this.#downloads.get(id)!;
    const seq = d.next++;
    const part = d.data.subarray(seq * FILE_CHUNK_BYTES, (seq + 1) * FILE_CHUNK_BYTES);
    if (part.length > 0) this.send({ type: 'file.chunk', transfer_id: id, seq, data: part.toString('base64') });
  }

  #on(m: Msg): void {
    if (m.type === 'hello') this.hello = true;
    if (m.type === 'hello' || m.type === 'keepalive' || m.type === 'command') return;
    this.seen.push(m);
    if (m.type === 'stream.open') {
      if (this.refuse) this.send({ type: 'stream.end', stream_id: m.stream_id, ...this.refuse });
      else this.send({ type: 'stream.started', stream_id: m.stream_id });
    } else if (m.type === 'file.put') {
      this.#uploads.set(m.transfer_id, { dest: m.dest, size: m.size, parts: [], got: 0 });
      this.send({ type: 'file.ready', transfer_id: m.transfer_id, path: m.dest });
    } else if (m.type === 'file.chunk') {
      const u = this.#uploads.get(m.transfer_id)!;
      const buf = Buffer.from(m.data, 'base64');
      u.parts.push(buf);
      u.got += buf.length;
      this.send({ type: 'file.ack', transfer_id: m.transfer_id, seq: m.seq });
      if (u.got === u.size) {
        const all = Buffer.concat(u.parts);
        this.files.set(u.dest, all);
        this.send({ type: 'file.done', transfer_id: m.transfer_id, path: u.dest, size: all.length, sha256: createHash('sha256').update(all).digest('hex') });
      }
    } else if (m.type === 'file.get') {
      const data = this.files.get(m.path);
      if (!data) {
        this.send({ type: 'file.error', transfer_id: m.transfer_id, code: 'not_found', message: 'no such file' });
        return;
      }
      this.#downloads.set(m.transfer_id, { data, next: 0 });
      this.send({ type: 'file.meta', transfer_id: m.transfer_id, path: m.path, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      this.#chunk(m.transfer_id);
    } else if (m.type === 'file.ack' && this.#downloads.has(m.transfer_id)) {
      this.#chunk(m.transfer_id);
    }
  }
}

/** An SSE stream being read: its events as they come, and a way to leave. */
function sse(url: string): { events: { event: string; data: any; at: number }[]; status: Promise<number>; ended: Promise<void>; leave: () => void; errorBody: Promise<any> } {
  const ctrl = new AbortController();
  const events: { event: string; data: any; at: number }[] = [];
  let status!: (n: number) => void;
  let errorBody!: (b: any) => void;
  const statusP = new Promise<number>((r) => (status = r));
  const errorP = new Promise<any>((r) => (errorBody = r));
  const ended = (async () => {
    const res = await fetch(url, { signal: ctrl.signal, headers: { accept: 'text/event-stream' } });
    status(res.status);
    if (res.status !== 200) {
      errorBody(await res.json());
      return;
    }
    for await (const e of readSse(res.body!).events) events.push({ ...e, at: performance.now() });
  })().catch((err: unknown) => {
    if ((err as Error).name !== 'AbortError') throw err;
  });
  return { events, status: statusP, ended, leave: () => ctrl.abort(), errorBody: errorP };
}

let agent: SimAgent;
let nodeId: number;

async function streamUrl(r: Replica, kind: 'logs' | 'metrics', query = ''): Promise<string> {
  const t = await api(r, 'POST', `/api/agents/${agent.node.uuid}/stream-tickets`, { kind });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  return `${r.url}${t.body.url}${query}`;
}

before(async () => {
  db = await createTestDatabase();
  const secretKey = randomBytes(32).toString('hex');
  A = await startReplica('a', secretKey, true);
  creds = A.server.bootstrapped!;
  [B, C] = [await startReplica('b', secretKey, false), await startReplica('c', secretKey, false)];
  const d = await fetch(`${A.url}/api/deploy`, { method: 'POST', headers: { authorization: `Bearer ${creds.deploy_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'web-b', ip: '192.0.2.50' }) });
  const dep = (await d.json()) as { node_uuid: string; api_key: string };
  agent = new SimAgent({ uuid: dep.node_uuid, key: dep.api_key });
  await agent.connect(B);
  nodeId = Number((await B.server.ctx.db.selectFrom('nodes').select('id').where('uuid', '=', dep.node_uuid).executeTakeFirstOrThrow()).id);
  assert.equal(B.server.ctx.fleet.links.connected(nodeId), true);
  assert.equal(C.server.ctx.fleet.links.connected(nodeId), false, 'the socket is on B only');
  assert.equal(A.server.ctx.fleet.links.connected(nodeId), false);
});

after(async () => {
  agent?.ws?.close();
  for (const r of replicas.reverse()) {
    await r.server.stop().catch(() => undefined);
    rmSync(r.dir, { recursive: true, force: true });
  }
  await db?.drop();
});

async function connectedOn(r: Replica): Promise<boolean> {
  const d = await api(r, 'GET', `/api/agents/${agent.node.uuid}`);
  assert.equal(d.status, 200, JSON.stringify(d.body));
  return d.body.streams.connected;
}

test('the agent detail says connected on every replica, not only on B that holds the socket', async () => {
  assert.deepEqual([await connectedOn(A), await connectedOn(B), await connectedOn(C)], [true, true, true]);
});

test('a log stream asked on C for the agent on B delivers its lines (small and past NOTIFY size); the client leaving C ends the agent\'s stream on B', async (tc) => {
  const s = sse(await streamUrl(C, 'logs', `&source=file&path=${encodeURIComponent('/var/log/app.log')}`));
  assert.equal(await s.status, 200);
  const open = await waitFor('the agent to be asked for the stream', () => agent.opened('logs'), 5000);
  assert.equal(open.path, '/var/log/app.log');
  await waitFor('ready', () => s.events.some((e) => e.event === 'ready'));
  assert.deepEqual({ asked: C.server.ctx.fleet.relay.relayed.asked, held: B.server.ctx.fleet.relay.relayed.held }, { asked: 1, held: 1 }, 'relayed through the bus, not a local socket');
  const sentAt = performance.now();
  agent.send({ type: 'stream.lines', stream_id: open.stream_id, lines: [{ ts: 1, line: 'payment service started pid=4242' }] });
  // One message of ~40 KB: past what a NOTIFY carries, it goes through a frame row.
  const big = Array.from({ length: 100 }, (_, i) => ({ ts: 2 + i, line: `line ${i} ${'x'.repeat(400)}` }));
  agent.send({ type: 'stream.lines', stream_id: open.stream_id, lines: big, dropped: 3 });
  agent.send({ type: 'stream.lines', stream_id: open.stream_id, lines: [{ ts: 200, line: 'after the big one' }] });
  await waitFor('all lines on C', () => s.events.filter((e) => e.event === 'log').length === 102, 10_000);
  const logs = s.events.filter((e) => e.event === 'log').map((e) => e.data.line as string);
  assert.equal(logs[0], 'payment service started pid=4242');
  assert.deepEqual(logs.slice(1, 101), big.map((l) => l.line), 'in order, whole');
  assert.equal(logs[101], 'after the big one');
  const first = s.events.find((e) => e.event === 'log')!;
  const bigDone = s.events.filter((e) => e.event === 'log')[100]!;
  tc.diagnostic(`agent on B → SSE on C: first line ${(first.at - sentAt).toFixed(1)} ms; the 40 KB batch (a frame row) done ${(bigDone.at - sentAt).toFixed(1)} ms after the first was sent`);
  assert.deepEqual(s.events.find((e) => e.event === 'dropped')?.data, { lines: 3 });

  s.leave();
  const closed = await waitFor('the agent told to close its stream', () => agent.seen.find((m) => m.type === 'stream.close' && m.stream_id === open.stream_id), 5000);
  assert.ok(closed);
  await waitFor('both sides to forget the conversation', () => C.server.ctx.fleet.relay.relayed.asked === 0 && B.server.ctx.fleet.relay.relayed.held === 0 && B.server.ctx.fleet.links.open === 0, 5000);
  const frames = await C.server.ctx.db.selectFrom('cluster_frames').select('id').execute();
  assert.equal(frames.length, 0, 'every frame row was taken by its recipient');
});

test('a metrics stream asked on C delivers the agent\'s snapshots; a refusal by the agent is the same error as on B', async () => {
  const s = sse(await streamUrl(C, 'metrics'));
  assert.equal(await s.status, 200);
  const open = await waitFor('the agent asked for metrics', () => agent.opened('metrics'), 5000);
  assert.equal(open.interval_ms, 5000);
  const snap = (ts: number) => ({ ts, host: { cpu_percent: 12.5, mem_percent: 40, disk_percent: 61, uptime_s: 3600, load1: 0.4 }, traffic: { pps: 1200, bps: 9_600_000 } });
  agent.send({ type: 'stream.metrics', stream_id: open.stream_id, snapshot: snap(1000) });
  agent.send({ type: 'stream.metrics', stream_id: open.stream_id, snapshot: snap(2000) });
  await waitFor('two metrics events', () => s.events.filter((e) => e.event === 'metrics').length === 2, 5000);
  assert.deepEqual(s.events.filter((e) => e.event === 'metrics').map((e) => e.data), [snap(1000), snap(2000)]);
  s.leave();
  await waitFor('the agent told to close', () => agent.seen.some((m) => m.type === 'stream.close' && m.stream_id === open.stream_id), 5000);

  agent.refuse = { code: 'outside_roots', message: '/etc/shadow is outside the allowed roots' };
  try {
    const path = `&source=file&path=${encodeURIComponent('/etc/shadow')}`;
    const onB = sse(await streamUrl(B, 'logs', path));
    const onC = sse(await streamUrl(C, 'logs', path));
    assert.deepEqual([await onB.status, await onC.status], [403, 403]);
    const [eb, ec] = [await onB.errorBody, await onC.errorBody];
    assert.equal(ec.error.code, 'outside_roots');
    assert.deepEqual({ code: ec.error.code, message: ec.error.message }, { code: eb.error.code, message: eb.error.message });
  } finally {
    agent.refuse = null;
  }
});

test('a file goes up through C to the agent on B and comes back byte-identical through A', async () => {
  // Not a whole number of chunks: 5 full chunks and a partial one, each far past a NOTIFY.
  const bytes = randomBytes(5 * FILE_CHUNK_BYTES + 12_345);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const form = new FormData();
  form.set('dest', '/var/tmp/blob.bin');
  form.set('file', new Blob([bytes]), 'blob.bin');
  const up = await fetch(`${C.url}/api/agents/${agent.node.uuid}/files`, { method: 'POST', headers: { authorization: `Bearer ${creds.api_token}` }, body: form });
  const upBody = (await up.json()) as { path: string; size: number; sha256: string };
  assert.equal(up.status, 200, JSON.stringify(upBody));
  assert.deepEqual(upBody, { path: '/var/tmp/blob.bin', size: bytes.length, sha256: sha });
  assert.ok(agent.files.get('/var/tmp/blob.bin')?.equals(bytes), 'the agent holds exactly what was sent');

  const down = await fetch(`${A.url}/api/agents/${agent.node.uuid}/files?path=${encodeURIComponent('/var/tmp/blob.bin')}`, { headers: { authorization: `Bearer ${creds.api_token}` } });
  assert.equal(down.status, 200);
  assert.equal(down.headers.get('x-content-sha256'), sha);
  const back = Buffer.from(await down.arrayBuffer());
  assert.ok(back.equals(bytes), 'byte-identical');

  const missing = await api(A, 'GET', `/api/agents/${agent.node.uuid}/files?path=${encodeURIComponent('/var/tmp/nothing')}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
  await waitFor('no conversation left open', () => A.server.ctx.fleet.relay.relayed.asked === 0 && C.server.ctx.fleet.relay.relayed.asked === 0 && B.server.ctx.fleet.relay.relayed.held === 0, 5000);
  const rows = await A.server.ctx.db.selectFrom('fleet_transfers').select(['direction', 'status', 'size', 'sha256']).where('node_id', '=', nodeId).orderBy('created_at').execute();
  assert.deepEqual(rows.slice(0, 2).map((r) => ({ ...r, size: Number(r.size) })), [
    { direction: 'upload', status: 'done', size: bytes.length, sha256: sha },
    { direction: 'download', status: 'done', size: bytes.length, sha256: sha },
  ]);
  assert.equal((await A.server.ctx.db.selectFrom('cluster_frames').select('id').execute()).length, 0);
});

test('the agent leaving B ends the stream on C with the same end event as on B; with no replica holding it, 409 agent_offline', async () => {
  const onC = sse(await streamUrl(C, 'logs', '&source=journald&unit=nginx.service'));
  const onB = sse(await streamUrl(B, 'logs', '&source=journald&unit=nginx.service'));
  assert.deepEqual([await onC.status, await onB.status], [200, 200]);
  await waitFor('both streams ready', () => onC.events.some((e) => e.event === 'ready') && onB.events.some((e) => e.event === 'ready'), 5000);
  await agent.disconnect();
  await Promise.all([onC.ended, onB.ended]);
  const last = (s: typeof onC) => ({ event: s.events.at(-1)!.event, data: s.events.at(-1)!.data });
  const endC = last(onC);
  const endB = last(onB);
  assert.equal(endC.event, 'end');
  assert.deepEqual(endC, endB, 'the same end event on the replica asked as on the one holding the socket');
  assert.equal(endC.data.reason, 'agent_disconnected');
  await waitFor('C forgets the conversation', () => C.server.ctx.fleet.relay.relayed.asked === 0 && B.server.ctx.fleet.relay.relayed.held === 0, 5000);

  for (const r of [A, B, C]) {
    const s = sse(await streamUrl(r, 'metrics'));
    assert.equal(await s.status, 409, `on ${r.name}`);
    assert.equal((await s.errorBody).error.code, 'agent_offline');
  }
  const file = await api(C, 'GET', `/api/agents/${agent.node.uuid}/files?path=${encodeURIComponent('/var/tmp/blob.bin')}`);
  assert.equal(file.status, 409);
  assert.equal(file.body.error.code, 'agent_offline');
  // (B's unlink follows the socket's close event, a write of its own.)
  await waitFor('no replica counts it connected', async () => [await connectedOn(A), await connectedOn(B), await connectedOn(C)].every((c) => !c), 5000);

  // Back on another replica (as through a balancer after B went): C reaches it there.
  await agent.connect(A);
  const again = sse(await streamUrl(C, 'metrics'));
  assert.equal(await again.status, 200);
  const open = await waitFor('the agent asked through A', () => agent.opened('metrics'), 5000);
  agent.send({ type: 'stream.metrics', stream_id: open.stream_id, snapshot: { ts: 5, host: { cpu_percent: 1, mem_percent: 2, disk_percent: 3, uptime_s: 4, load1: 0 }, traffic: null } });
  await waitFor('the snapshot on C', () => again.events.some((e) => e.event === 'metrics'), 5000);
  again.leave();
  await waitFor('A forgets it', () => A.server.ctx.fleet.relay.relayed.held === 0, 5000);
  await waitFor('C sees it on A', () => connectedOn(C), 5000);

  // A stops (a rolling restart): C no longer counts the agent connected, without waiting for anything.
  await A.server.stop();
  replicas.splice(replicas.indexOf(A), 1);
  rmSync(A.dir, { recursive: true, force: true });
  assert.equal(await connectedOn(C), false);
});
