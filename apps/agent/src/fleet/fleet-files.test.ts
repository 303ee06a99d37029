// File transfer through a real server and a real agent over its WebSocket: a file goes up
// and comes back byte-identical, and every way out of the agent's roots is refused — `..`,
// an absolute path outside, a symlink that escapes, a file over the cap, the agent's own
// config (its key) and spool even inside a root, a viewer — each a clear error, audited.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createToken } from '@breakwater/server';
import { waitFor } from '@breakwater/testing';
import { startFleetBed, type FleetBed } from '../testing/fleet-bed.ts';

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const CAP = 1024 * 1024;

/** The workspace's audit log, newest first. */
const auditLog = (bed: FleetBed) => bed.t.server.ctx.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', bed.t.admin.workspaceId).orderBy('id', 'desc').limit(500).execute();

describe('fleet files through the agent', () => {
  let bed: FleetBed;
  let viewer: string;
  let operator: string;
  before(async () => {
    bed = await startFleetBed({ agentConfig: { file_max_bytes: CAP } });
    const ctx = bed.t.server.ctx;
    viewer = (await createToken(ctx.db, bed.t.clock, bed.t.admin.workspaceId, 'api', 'viewer', 'viewer', null)).secret;
    operator = (await createToken(ctx.db, bed.t.clock, bed.t.admin.workspaceId, 'api', 'operator', 'operator', null)).secret;
  });
  after(async () => bed?.stop());

  const upload = async (dest: string, data: Buffer, token = operator) => {
    const f = new FormData();
    f.append('dest', dest);
    f.append('file', new Blob([data]), 'x.bin');
    const res = await fetch(`${bed.t.url}/api/agents/${bed.node.uuid}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: f });
    return { status: res.status, body: await res.json() as any };
  };
  const download = async (path: string, token = operator) => {
    const res = await fetch(`${bed.t.url}/api/agents/${bed.node.uuid}/files?path=${encodeURIComponent(path)}`, { headers: { authorization: `Bearer ${token}` } });
    const buf = Buffer.from(await res.arrayBuffer());
    let body: any = null;
    try {
      body = JSON.parse(buf.toString('utf8'));
    } catch { /* the file */ }
    return { status: res.status, headers: res.headers, buf, body };
  };

  test('a file goes up and comes back byte-identical; sha256 returned, verified and in the download headers; written by rename, no temp file left', async () => {
    const data = randomBytes(700 * 1024 + 123); // several WebSocket chunks, the last one short
    const dest = join(bed.root, 'up', 'blob.bin');
    mkdirSync(join(bed.root, 'up'));
    const up = await upload(dest, data);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.deepEqual(up.body, { path: dest, size: data.length, sha256: sha(data) });
    assert.ok(readFileSync(dest).equals(data), 'on disk as sent');
    assert.equal(statSync(dest).mode & 0o777, 0o600, 'a new file is created readable by its owner only');
    assert.deepEqual(readdirSync(join(bed.root, 'up')), ['blob.bin'], 'no temporary file left behind');

    const down = await download(dest);
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('content-type'), 'application/octet-stream');
    assert.equal(down.headers.get('x-content-sha256'), sha(data));
    assert.equal(Number(down.headers.get('content-length')), data.length);
    assert.ok(down.buf.equals(data), 'byte-identical');
    assert.equal(sha(down.buf), sha(data));

    // replaced in place, keeping the old file's mode
    writeFileSync(join(bed.root, 'up', 'conf.txt'), 'old', { mode: 0o644 });
    const again = await upload(join(bed.root, 'up', 'conf.txt'), Buffer.from('new contents\n'));
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(readFileSync(join(bed.root, 'up', 'conf.txt'), 'utf8'), 'new contents\n');
    assert.equal(statSync(join(bed.root, 'up', 'conf.txt')).mode & 0o777, 0o644);
    // an empty file too
    const empty = await upload(join(bed.root, 'up', 'empty'), Buffer.alloc(0));
    assert.equal(empty.status, 200, JSON.stringify(empty.body));
    const e = await download(join(bed.root, 'up', 'empty'));
    assert.equal(e.status, 200);
    assert.equal(e.buf.length, 0);

    const log = await auditLog(bed);
    const ups = log.filter((x: any) => x.action === 'agent.file.upload' && JSON.parse(x.detail).path === dest);
    assert.equal(ups.length, 1);
    assert.equal(JSON.parse(ups[0]!.detail).sha256, sha(data));
    assert.equal(ups[0]!.actor, 'token:operator');
    assert.ok(log.some((x: any) => x.action === 'agent.file.download' && JSON.parse(x.detail).result === 'ok'));
  });

  test('refused: "../", an absolute path outside the roots, a symlink that escapes (file or directory), each for download and upload', async () => {
    mkdirSync(join(bed.root, 'logs'), { recursive: true });
    const hostnameBefore = readFileSync('/etc/hostname', 'utf8');
    symlinkSync('/etc', join(bed.root, 'logs', 'etc-link'));
    symlinkSync('/etc/hostname', join(bed.root, 'logs', 'hostname'));
    const cases: [string, number, string][] = [
      [`${bed.root}/../outside.txt`, 400, 'bad_path'],
      [`${bed.root}/logs/../../etc/passwd`, 400, 'bad_path'],
      ['logs/relative.txt', 400, 'bad_path'],
      ['/etc/hostname', 403, 'outside_roots'],
      [join(bed.root, 'logs', 'etc-link', 'hostname'), 403, 'outside_roots'],
      [join(bed.root, 'logs', 'hostname'), 403, 'outside_roots'],
    ];
    for (const [path, status, code] of cases) {
      const d = await download(path);
      assert.equal(d.status, status, `download ${path}: ${d.buf.toString()}`);
      assert.equal(d.body.error.code, code, path);
      assert.match(d.body.error.message, /^path: /);
    }
    for (const [path, status, code] of cases.filter(([p]) => !p.endsWith('/hostname'))) {
      const u = await upload(path, Buffer.from('x'));
      assert.equal(u.status, status, `upload ${path}: ${JSON.stringify(u.body)}`);
      assert.equal(u.body.error.code, code, path);
      assert.match(u.body.error.message, /^dest: /, 'an upload refusal names its dest field');
    }
    const through = await upload(join(bed.root, 'logs', 'etc-link', 'bw-test-written'), Buffer.from('x'));
    assert.equal(through.status, 403, 'no write through a symlinked directory out of the root');
    assert.equal(through.body.error.code, 'outside_roots');
    const overLink = await upload(join(bed.root, 'logs', 'hostname'), Buffer.from('x'));
    assert.equal(overLink.status, 403, 'a symlink at the destination is not written through (nor replaced)');
    assert.equal(readFileSync('/etc/hostname', 'utf8'), hostnameBefore, '/etc/hostname untouched');
  });

  test('refused: over the agent\'s cap (file_max_bytes) both ways; the agent\'s config (its key), the config\'s temp files and the spool even inside a root', async () => {
    const big = randomBytes(CAP + 1);
    const up = await upload(join(bed.root, 'big.bin'), big);
    assert.equal(up.status, 413, JSON.stringify(up.body));
    assert.equal(up.body.error.code, 'too_large');
    assert.match(up.body.error.message, /^file: .*file_max_bytes/);
    writeFileSync(join(bed.root, 'big-local.bin'), big);
    const down = await download(join(bed.root, 'big-local.bin'));
    assert.equal(down.status, 413);
    assert.equal(down.body.error.code, 'too_large');

    writeFileSync(join(bed.spoolDir, 'segment-0001'), 'queued reports');
    writeFileSync(`${bed.configPath}.tmp-1234`, 'half-written config');
    for (const path of [bed.configPath, `${bed.configPath}.tmp-1234`, join(bed.spoolDir, 'segment-0001'), join(bed.root, 'state', 'spool', 'x', '..', 'segment-0001')]) {
      const d = await download(path);
      assert.ok(d.status === 403 || d.status === 400, `${path}: ${d.status}`);
      if (d.status === 403) assert.equal(d.body.error.code, 'forbidden_path');
      assert.ok(!d.buf.toString().includes(bed.node.key), 'the key never leaves');
    }
    const overwrite = await upload(bed.configPath, Buffer.from('{}'));
    assert.equal(overwrite.status, 403);
    assert.equal(overwrite.body.error.code, 'forbidden_path');
    assert.ok(readFileSync(bed.configPath, 'utf8').includes(bed.node.key), 'the config is untouched');
    const intoSpool = await upload(join(bed.spoolDir, 'new'), Buffer.from('x'));
    assert.equal(intoSpool.status, 403);
    // a symlink inside a root pointing at the config is refused too
    symlinkSync(bed.configPath, join(bed.root, 'innocent.json'));
    const viaLink = await download(join(bed.root, 'innocent.json'));
    assert.equal(viaLink.status, 403);
    assert.equal(viaLink.body.error.code, 'forbidden_path');
  });

  test('the agent reports its host itself (POST /api/agents/{id}/report at start, every 30 s): the detail shows hostname, os and cpu/memory/disk', async () => {
    const d = await waitFor('the host report', async () => {
      const r = (await bed.t.request('GET', `/api/agents/${bed.node.uuid}`, { token: viewer })).body;
      return r.metrics?.host?.reported_at ? r : undefined;
    });
    assert.equal(d.hostname, hostname());
    assert.equal(d.version, '0.0.0-fleet');
    assert.equal(d.status, 'online');
    for (const k of ['mem_percent', 'disk_percent']) assert.ok(d.metrics.host[k] >= 0 && d.metrics.host[k] <= 100, k);
    assert.ok(d.metrics.host.uptime_s > 0);
    assert.equal(d.streams.connected, true);
  });

  test('refused: a viewer (operator is required) and an unknown agent; bad requests name the field', async () => {
    writeFileSync(join(bed.root, 'readable.txt'), 'hello');
    const v = await download(join(bed.root, 'readable.txt'), viewer);
    assert.equal(v.status, 403);
    assert.equal(v.body.error.code, 'forbidden');
    assert.equal((await upload(join(bed.root, 'v.txt'), Buffer.from('x'), viewer)).status, 403);
    const unknown = await fetch(`${bed.t.url}/api/agents/00000000-0000-4000-8000-000000000000/files?path=/x`, { headers: { authorization: `Bearer ${operator}` } });
    assert.equal(unknown.status, 404);
    const noPath = await fetch(`${bed.t.url}/api/agents/${bed.node.uuid}/files`, { headers: { authorization: `Bearer ${operator}` } });
    assert.equal(noPath.status, 400);
    assert.match(((await noPath.json()) as any).error.message, /path/);
    const f = new FormData();
    f.append('file', new Blob([Buffer.from('x')]), 'x');
    const noDest = await fetch(`${bed.t.url}/api/agents/${bed.node.uuid}/files`, { method: 'POST', headers: { authorization: `Bearer ${operator}` }, body: f });
    assert.equal(noDest.status, 400);
    assert.match(((await noDest.json()) as any).error.message, /^dest: /);
    const refused = (await auditLog(bed)).filter((x: any) => x.action === 'agent.file.download' && JSON.parse(x.detail).result === 'refused');
    assert.ok(refused.length >= 6, 'refusals are audited too');
  });
});
