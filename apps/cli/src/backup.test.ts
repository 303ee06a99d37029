// `breakwater admin backup` / `restore` as an operator runs them: a real server process writing
// to its SQLite database while the backup is taken, then a restore that brings that moment back.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waitFor } from '@breakwater/testing';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'breakwater.mjs');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'bw-backup-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const url = await waitFor('server to listen', () => /listening on (http:\/\/\S+)/.exec(text)?.[1] ?? (child.exitCode !== null ? `exited: ${text}` : undefined), 30_000);
  assert.match(url, /^http:/, url);
  return { url, child, stop: async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } };
}

const names = async (url: string, token: string) => {
  const r = await fetch(`${url}/api/v1/nodes`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { data: { name: string }[] };
  return body.data.map((n) => n.name).sort();
};
let nextIp = 1;
const addNode = async (url: string, token: string, name: string) => {
  const ip = `198.18.${nextIp >> 8}.${nextIp++ & 255}`;
  const r = await fetch(`${url}/api/v1/nodes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, ip }) });
  assert.equal(r.status, 201, await r.text());
};

test('a backup taken while the server writes restores that moment: what came after is gone, the credentials work', { timeout: 120_000 }, async () => {
  const data = tmp();
  const init = run(['admin', 'init', '--json', '--data-dir', data, '--deploy-token-scope', 'operator']);
  assert.equal(init.status, 0, init.stderr);
  const { api_token: token } = JSON.parse(init.stdout) as { api_token: string };
  const out = join(tmp(), 'nightly.db');
  let server = await startServer(data);
  try {
    await addNode(server.url, token, 'edge-before');
    // Writes go on while the backup runs: the copy is a consistent moment, whichever side of it they fall.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) await addNode(server.url, token, `during-${written++}`);
    })();
    await waitFor('some writes under way', () => written >= 3 || undefined, 20_000);
    const b = run(['admin', 'backup', '--data-dir', data, '--out', out]);
    writing = false;
    await writer;
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /backup: .*nightly\.db \(\d+ bytes, \d+ pages, schema \d{3}-[a-z-]+\)/);
    assert.match(b.stdout, /secret key/);
    assert.equal(statSync(out).mode & 0o777, 0o600, 'the backup is readable by its owner only');
    assert.ok(!existsSync(`${out}.partial`));
    // What the copy holds, read straight from it.
    const copy = new DatabaseSync(out, { readOnly: true });
    const inCopy = (copy.prepare('SELECT name FROM nodes ORDER BY name').all() as { name: string }[]).map((r) => r.name);
    copy.close();
    assert.ok(inCopy.includes('edge-before'));
    const during = inCopy.filter((n) => n.startsWith('during-')).map((n) => Number(n.slice(7))).sort((x, y) => x - y);
    assert.deepEqual(during, during.map((_, i) => i), 'the copy holds a prefix of the writes, with no gap');

    await addNode(server.url, token, 'edge-after');
    const refused = run(['admin', 'backup', '--data-dir', data, '--out', out]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /exists; choose a new file/);

    await server.stop();
    const noForce = run(['admin', 'restore', '--data-dir', data, '--from', out]);
    assert.equal(noForce.status, 1);
    assert.match(noForce.stderr, /exists; stop the server and add --force/);
    const r = run(['admin', 'restore', '--data-dir', data, '--from', out, '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the database it replaced is kept at .*before-restore-/);
    assert.ok(readdirSync(data).some((f) => f.startsWith('breakwater.db.before-restore-')), 'the replaced database is kept');

    server = await startServer(data);
    const after = await names(server.url, token);
    assert.deepEqual(after, inCopy, 'the restored server holds exactly what the backup held');
    assert.ok(!after.includes('edge-after'));
  } finally {
    await server.stop();
  }
});

test('restore refuses what is not a whole Breakwater database this version can open, and changes nothing', () => {
  const data = tmp();
  assert.equal(run(['admin', 'init', '--json', '--data-dir', data]).status, 0);
  const before = statSync(join(data, 'breakwater.db')).mtimeMs;
  const garbage = join(tmp(), 'garbage.db');
  writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
  const other = join(tmp(), 'other.db');
  const o = new DatabaseSync(other);
  o.exec('CREATE TABLE t (x)');
  o.close();
  const newer = join(tmp(), 'newer.db');
  assert.equal(run(['admin', 'backup', '--data-dir', data, '--out', newer]).status, 0);
  const n = new DatabaseSync(newer);
  n.exec(`INSERT INTO kysely_migration (name, timestamp) VALUES ('999-from-the-future', '2030-01-01T00:00:00.000Z')`);
  n.close();
  const cases: [string, RegExp][] = [
    [garbage, /not an SQLite database/],
    [other, /not a Breakwater database/],
    [newer, /newer Breakwater \(migrations 999-from-the-future/],
    [join(data, 'missing.db'), /no such file/],
  ];
  for (const [file, message] of cases) {
    const r = run(['admin', 'restore', '--data-dir', data, '--from', file, '--force']);
    assert.equal(r.status, 1, file);
    assert.match(r.stderr, message);
  }
  assert.equal(statSync(join(data, 'breakwater.db')).mtimeMs, before, 'the database was not touched');
  assert.deepEqual(readdirSync(data).filter((f) => f.includes('restor')), []);
});

test('flags: what each subcommand needs is named, and PostgreSQL points at pg_dump', () => {
  const d = tmp();
  const cases: [string[], RegExp][] = [
    [['admin', 'backup', '--data-dir', d], /--out FILE is required/],
    [['admin', 'restore', '--data-dir', d], /--from FILE is required/],
    [['admin', 'backup', '--out', join(d, 'x'), '--force'], /--from and --force are for restore/],
    [['admin', 'backup', '--out', join(d, 'x'), '--database-url', 'postgres://u@127.0.0.1/db'], /pg_dump/],
    [['admin', 'backup', '--out', join(d, 'x'), '--bogus'], /allowed flags: .*--out/],
    [['admin', 'frobnicate'], /allowed: init, backup, restore/],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  const missing = run(['admin', 'backup', '--data-dir', join(d, 'nothing'), '--out', join(d, 'x.db')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no database at/);
});
