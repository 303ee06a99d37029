import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FLOW_HOST_HEADER } from '@breakwater/contracts/plain';
import type { CallResult } from './agent-client.ts';
import { Sender, type Outgoing } from './sender.ts';
import { Spool } from './spool.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A server that can be down, and records what it accepted. */
function fakeServer() {
  const s = { up: true, calls: [] as { path: string; body: unknown; headers?: Record<string, string> | undefined }[], next: 1, refuse: null as number | null, reply: null as unknown };
  const client = {
    async upload(uuid: string, path: string): Promise<CallResult<Record<string, unknown>>> {
      if (!s.up) return { ok: false, retryable: true, status: null, message: 'connection refused' };
      s.calls.push({ path: `/incidents/${uuid}/pcap`, body: readFileSync(path, 'utf8') });
      return { ok: true, body: {} };
    },
    async call<T>(_m: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult<T>> {
      if (!s.up) return { ok: false, retryable: true, status: null, message: 'connection refused' };
      if (s.refuse !== null) return { ok: false, retryable: s.refuse >= 500, status: s.refuse, message: 'refused' };
      s.calls.push({ path, body, headers });
      return { ok: true, body: (s.reply ?? (path === '/incidents' ? { uuid: `server-${s.next++}` } : {})) as T };
    },
  };
  return { s, client };
}

function setup(dir = mkdtempSync(join(tmpdir(), 'bw-sender-'))) {
  dirs.push(dir);
  const { s, client } = fakeServer();
  const spool = new Spool<Outgoing>({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 14 });
  const logged: string[] = [];
  const sender = new Sender({ spool, client, stateDir: dir, log: (line: string) => logged.push(line) });
  return { dir, s, client, spool, sender, logged };
}

const m = (pps: number): Outgoing => ({ kind: 'metrics', sample: { pps, bps: pps * 8 } });

test('while the server is down nothing is lost; when it returns everything goes, in order, metrics batched', async () => {
  const { s, sender } = setup();
  s.up = false;
  sender.enqueue([m(1), m(2)]);
  sender.enqueue([{ kind: 'open', local: 'L1', body: { attack_family: 'udp_flood' } }]);
  sender.enqueue([m(3), { kind: 'update', local: 'L1', body: { peak_pps: 9 } }, { kind: 'resolve', local: 'L1', body: {} }, m(4)]);
  await sender.kick();
  assert.equal(s.calls.length, 0);
  s.up = true;
  await sender.kick();
  assert.deepEqual(s.calls.map((c) => c.path), ['/metrics', '/incidents', '/metrics', '/incidents/server-1', '/incidents/server-1/resolve', '/metrics']);
  assert.deepEqual(s.calls[0]!.body, [{ pps: 1, bps: 8 }, { pps: 2, bps: 16 }]);
  await sender.kick();
  assert.equal(s.calls.length, 6, 'nothing is sent twice');
});

test('a restarted agent resumes the spool and still knows which server incident a local id is', async () => {
  const first = setup();
  first.sender.enqueue([{ kind: 'open', local: 'L7', body: {} }]);
  await first.sender.kick();
  first.s.up = false;
  first.sender.enqueue([m(5), { kind: 'resolve', local: 'L7', body: { duration_seconds: 3 } }]);
  await first.sender.kick();
  // the process dies here; a new one starts on the same directory
  const { s, client } = fakeServer();
  const spool = new Spool<Outgoing>({ dir: first.dir, maxBytes: 1 << 20, segmentBytes: 1 << 14 });
  const again = new Sender({ spool, client, stateDir: first.dir, log: () => {} });
  await again.kick();
  assert.deepEqual(s.calls.map((c) => c.path), ['/metrics', '/incidents/server-1/resolve']);
});

test('what the server refuses as invalid is dropped (logged), a 5xx is retried', async () => {
  const { s, sender, spool } = setup();
  s.refuse = 503;
  sender.enqueue([m(1)]);
  await sender.kick();
  assert.equal(spool.size(), 1);
  s.refuse = 400;
  await sender.kick();
  assert.equal(spool.size(), 0);
  s.refuse = null;
  sender.enqueue([{ kind: 'update', local: 'never-opened', body: {} }, m(2)]);
  await sender.kick();
  assert.deepEqual(s.calls.map((c) => c.path), ['/metrics']);
});

test('the capture follows the resolve to the server incident, and the file is removed once uploaded', async () => {
  const { s, sender, dir } = setup();
  const file = join(dir, 'L9.pcap');
  writeFileSync(file, 'pcap-bytes');
  s.up = false;
  sender.enqueue([{ kind: 'open', local: 'L9', body: {} }, { kind: 'resolve', local: 'L9', body: {} }, { kind: 'pcap', local: 'L9', path: file }]);
  await sender.kick();
  assert.ok(existsSync(file), 'kept while the server is away');
  s.up = true;
  await sender.kick();
  assert.deepEqual(s.calls.map((c) => c.path), ['/incidents', '/incidents/server-1/resolve', '/incidents/server-1/pcap']);
  assert.equal(s.calls[2]!.body, 'pcap-bytes');
  assert.ok(!existsSync(file));
});

test('samples the server acknowledges but does not keep are logged with its reason, and not sent again', async () => {
  const { s, sender, spool, logged } = setup();
  s.reply = { ok: true, data: { accepted: 1, refused: 1, refusals: [{ reason: 'too_old', count: 1, message: 'recorded_at: 1 sample older than every retention (400 days)' }] } };
  sender.enqueue([m(1), m(2)]);
  await sender.kick();
  assert.equal(spool.size(), 0);
  assert.deepEqual(logged, ['metrics partly refused: recorded_at: 1 sample older than every retention (400 days)']);
  s.reply = { ok: true, data: { accepted: 1 } };
  sender.enqueue([m(3)]);
  await sender.kick();
  assert.equal(logged.length, 1, 'a batch kept whole logs nothing');
});

test('a collector\'s records name their host: many hosts\' samples in one /flow-metrics request, incidents carry the header, an agent\'s none', async () => {
  const { s, sender } = setup();
  const hm = (host: string, pps: number): Outgoing => ({ kind: 'metrics', sample: { pps }, host });
  sender.enqueue([hm('203.0.113.1', 1), hm('203.0.113.1', 2), hm('203.0.113.2', 3), m(4)]);
  sender.enqueue([{ kind: 'open', local: '203.0.113.2-1', body: {}, host: '203.0.113.2' }, { kind: 'resolve', local: '203.0.113.2-1', body: {}, host: '203.0.113.2' }]);
  await sender.kick();
  assert.deepEqual(s.calls.map((c) => [c.path, c.headers?.['x-flow-host'] ?? null, c.body]), [
    ['/flow-metrics', null, { hosts: [{ host: '203.0.113.1', samples: [{ pps: 1 }, { pps: 2 }] }, { host: '203.0.113.2', samples: [{ pps: 3 }] }] }],
    ['/metrics', null, [{ pps: 4, bps: 32 }]],
    ['/incidents', '203.0.113.2', {}],
    ['/incidents/server-1/resolve', '203.0.113.2', {}],
  ]);
});

test('an incident left open by a run that crashed is resolved when the next run starts, ended at its last report; a resolved one is not', async () => {
  const first = setup();
  let t = 1_000_000;
  const a = new Sender({ spool: first.spool, client: first.client, stateDir: first.dir, log: () => {}, now: () => t });
  a.enqueue([{ kind: 'open', local: 'L1', body: { attack_family: 'udp_flood', started_at: 990_000, status: 'active' } }]);
  a.enqueue([{ kind: 'open', local: 'L2', body: { attack_family: 'syn_flood', started_at: 995_000, status: 'active' } }]);
  t = 1_005_000;
  a.enqueue([{ kind: 'update', local: 'L1', body: { attack_family: 'udp_flood', started_at: 990_000, status: 'active', peak_pps: 9 } }, { kind: 'resolve', local: 'L2', body: {} }]);
  await a.kick();
  assert.deepEqual(a.openIncidents(), ['L1']);
  // The process dies here: no stop. A new one starts on the same state directory.
  t = 2_000_000;
  const logged: string[] = [];
  const b = new Sender({ spool: new Spool<Outgoing>({ dir: first.dir, maxBytes: 1 << 20, segmentBytes: 1 << 14 }), client: first.client, stateDir: first.dir, log: (l) => logged.push(l), now: () => t });
  assert.deepEqual(b.openIncidents(), ['L1'], 'what was open is known after the restart');
  assert.equal(b.resolveOpen('last_report', 'the previous run is gone'), 1);
  await b.kick();
  const last = first.s.calls.at(-1)!;
  assert.equal(last.path, '/incidents/server-1/resolve');
  assert.deepEqual(last.body, { attack_family: 'udp_flood', started_at: 990_000, status: 'resolved', peak_pps: 9, ended_at: 1_005_000, resolved_at: 1_005_000, duration_seconds: 15 });
  assert.match(logged.join('\n'), /resolving 1 incident\(s\) still open: the previous run is gone/);
  assert.deepEqual(b.openIncidents(), []);
  assert.equal(new Sender({ spool: first.spool, client: first.client, stateDir: first.dir, log: () => {} }).resolveOpen('last_report', 'again'), 0, 'resolved once');
});

test('stopping resolves what is open at that time; a collector\'s incident keeps its host', async () => {
  const { s, sender } = setup();
  sender.enqueue([{ kind: 'open', local: 'C1', host: '203.0.113.7', body: { started_at: 1000 } }]);
  assert.equal(sender.resolveOpen(61_000, 'stopping'), 1);
  await sender.kick();
  const last = s.calls.at(-1)!;
  assert.equal(last.path, '/incidents/server-1/resolve');
  assert.deepEqual(last.headers, { [FLOW_HOST_HEADER]: '203.0.113.7' });
  assert.equal((last.body as { duration_seconds: number }).duration_seconds, 60);
});

test('a damaged state file is logged and started without, never thrown on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-sender-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'open-incidents.json'), '{"torn');
  writeFileSync(join(dir, 'incident-ids.json'), '{}');
  const logged: string[] = [];
  const sender = new Sender({ spool: new Spool<Outgoing>({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 14 }), client: fakeServer().client, stateDir: dir, log: (l) => logged.push(l) });
  assert.deepEqual(sender.openIncidents(), []);
  assert.equal(logged.length, 2, logged.join('\n'));
  assert.match(logged[0]!, /incident-ids\.json: not a list/);
  assert.match(logged[1]!, /open-incidents\.json: unreadable/);
});
