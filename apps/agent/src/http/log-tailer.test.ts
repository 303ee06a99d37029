import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BoundedCounter, RecentSet } from './bounded-counter.ts';
import { LogTailer } from './log-tailer.ts';

const line = (i: number) => `198.51.100.${i % 250} - - [07/Dec/2026:16:00:00 +0000] "GET /item/${i} HTTP/1.1" 200 12 "-" "writer"\n`;

test('tailer: starts at the end of the file (what was there before is never read), then reads what is appended', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-tail-'));
  try {
    const path = join(dir, 'access.log');
    writeFileSync(path, Array.from({ length: 5000 }, (_, i) => line(i)).join(''));
    const seen: string[] = [];
    const t = new LogTailer({ path, maxLineBytes: 4096 }, (l) => seen.push(l));
    t.start();
    assert.equal(t.poll(), 0);
    appendFileSync(path, line(1) + line(2));
    t.poll();
    assert.deepEqual(seen, [line(1).trimEnd(), line(2).trimEnd()]);
    t.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tailer: a writer rotating by copytruncate and by rename mid-stream loses no line (lines written = lines counted)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-tail-'));
  try {
    const path = join(dir, 'access.log');
    writeFileSync(path, '');
    const seen = new Set<string>();
    let dup = 0;
    const t = new LogTailer({ path, maxLineBytes: 4096 }, (l) => {
      if (seen.has(l)) dup++;
      seen.add(l);
    });
    t.start();
    // A separate process writes as fast as it can, like a web server under a flood: copytruncate
    // (copy to .1, truncate) a third of the way, rename to .2 at two thirds, keeping the old
    // descriptor for 200 more lines before reopening, as nginx does until it gets USR1.
    const N = 60_000;
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      import { openSync, writeSync, closeSync, copyFileSync, truncateSync, renameSync } from 'node:fs';
      const path = ${JSON.stringify(path)};
      const line = ${line.toString()};
      let fd = openSync(path, 'a');
      for (let i = 0; i < ${N}; i++) {
        if (i === ${N / 3}) { copyFileSync(path, path + '.1'); truncateSync(path, 0); }
        if (i === ${(2 * N) / 3}) renameSync(path, path + '.2');
        if (i === ${(2 * N) / 3 + 200}) { closeSync(fd); fd = openSync(path, 'a'); }
        writeSync(fd, line(i));
      }
      closeSync(fd);
    `], { stdio: 'inherit' });
    const done = new Promise((r) => writer.once('exit', r));
    let exited = false;
    void done.then(() => (exited = true));
    while (!exited) {
      t.poll();
      await new Promise((r) => setTimeout(r, 2));
    }
    t.poll();
    assert.equal(writer.exitCode, 0);
    assert.equal(t.counters.rotations, 1, 'the rename');
    assert.ok(t.counters.truncations >= 1, 'the copytruncate');
    assert.equal(dup, 0, 'no line read twice');
    assert.equal(seen.size, N, `lines written ${N}, read ${seen.size}`);
    assert.equal(t.counters.lines, N);
    t.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tailer: a 10 MB line and binary garbage are skipped and counted; the long line is never buffered whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-tail-'));
  try {
    const path = join(dir, 'access.log');
    writeFileSync(path, '');
    const seen: string[] = [];
    const t = new LogTailer({ path, maxLineBytes: 16_384, readBudgetBytes: 1024 * 1024 }, (l) => seen.push(l));
    t.start();
    const big = Buffer.alloc(10 * 1024 * 1024, 'A');
    appendFileSync(path, line(1));
    appendFileSync(path, big);
    appendFileSync(path, '\n');
    appendFileSync(path, Buffer.from([0x31, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x41, 0x0a])); // NUL, bytes that are not UTF-8, an escape sequence
    appendFileSync(path, Buffer.from([0xc3, 0x28, 0x0a])); // invalid UTF-8 only
    appendFileSync(path, line(2));
    const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    let maxPending = 0;
    while (t.poll() > 0) maxPending = Math.max(maxPending, t.pendingBytes);
    const grown = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0;
    assert.ok(maxPending <= 16_384, `held ${maxPending} bytes of the long line`);
    assert.ok(grown < 5 * 1024 * 1024, `memory grew by ${grown} bytes reading a 10 MB line`);
    assert.deepEqual(seen, [line(1).trimEnd(), line(2).trimEnd()]);
    assert.deepEqual({ lines: t.counters.lines, too_long: t.counters.too_long, garbage: t.counters.garbage }, { lines: 5, too_long: 1, garbage: 2 });
    t.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bounded counts: a flood of random URIs keeps the counter at its capacity and the heavy hitter on top', () => {
  const c = new BoundedCounter(256);
  for (let i = 0; i < 200_000; i++) {
    c.add(`/r/${Math.random().toString(36).slice(2)}`);
    if (i % 4 === 0) c.add('/hot');
  }
  assert.ok(c.size <= 256, `${c.size} entries`);
  const top = c.top(1)[0]!;
  assert.equal(top.key, '/hot');
  assert.ok(top.count >= 50_000, 'never under-counted');
  const r = new RecentSet(1000);
  assert.equal(r.addIfNew('/a?x=1'), true);
  assert.equal(r.addIfNew('/a?x=1'), false);
  for (let i = 0; i < 5000; i++) r.addIfNew(`/a?x=${i + 2}`);
  assert.equal(r.addIfNew('/a?x=1'), true, 'forgotten after capacity newer keys: memory stays bounded');
});
