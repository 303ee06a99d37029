// Log lines for the fleet's log stream: a systemd unit's journal (`journalctl -f -o json -u
// UNIT`, an argument vector, never a shell) or a file inside the allowed roots, followed
// from its end like `tail -F` (inotify wakes it at once; a 250 ms poll covers filesystems
// without it; truncation and rotation are followed). Lines reach the sink in batches as
// they are read, each capped in length.
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { UNIT_NAME_PATTERN } from '@breakwater/contracts/plain';
import type { LogLine } from '@breakwater/contracts';
import { FileRefusal, type FileRoots } from './file-roots.ts';

export const MAX_LINE_CHARS = 8192;

export interface LogSource {
  stop(): void;
}

export type LineSink = (lines: LogLine[]) => void;

const cap = (s: string) => (s.length > MAX_LINE_CHARS ? `${s.slice(0, MAX_LINE_CHARS)}…` : s);

/** One journal entry of `journalctl -o json` as a log line (MESSAGE may be a byte array). */
export function journalLine(json: string, unit: string): LogLine | null {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
  const m = e.MESSAGE;
  const text = typeof m === 'string' ? m : Array.isArray(m) ? Buffer.from(m as number[]).toString('utf8') : m == null ? '' : JSON.stringify(m);
  const us = Number(e.__REALTIME_TIMESTAMP);
  const pr = Number(e.PRIORITY);
  return { ts: Number.isFinite(us) ? Math.floor(us / 1000) : Date.now(), line: cap(text), unit, ...(Number.isFinite(pr) ? { priority: pr } : {}) };
}

/** Follows a unit's journal; `journalctl` is the program path (tests may give another). */
export function followJournal(unit: string, sink: LineSink, opts: { journalctl?: string; onEnd: (why: string) => void }): LogSource {
  if (!new RegExp(UNIT_NAME_PATTERN).test(unit)) throw new FileRefusal('bad_path', `${JSON.stringify(unit)} is not a systemd unit name`);
  let child: ChildProcess;
  try {
    child = spawn(opts.journalctl ?? 'journalctl', ['-f', '-o', 'json', '-u', unit], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new FileRefusal('unavailable', `journalctl could not start: ${(err as Error).message}`);
  }
  let stopped = false;
  let errText = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (errText.length < 500) errText += d.toString('utf8');
  });
  const rl = createInterface({ input: child.stdout!, crlfDelay: Infinity });
  rl.on('line', (l) => {
    const line = journalLine(l, unit);
    if (line) sink([line]);
  });
  child.on('error', (err) => {
    if (!stopped) opts.onEnd(`journalctl could not run: ${err.message}`);
    stopped = true;
  });
  child.on('exit', (code) => {
    if (!stopped) opts.onEnd(`journalctl ended (exit ${code}): ${errText.trim().slice(0, 200)}`);
    stopped = true;
  });
  return {
    stop() {
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}

/** Follows a file inside the roots from its current end. */
export async function followFile(roots: FileRoots, path: string, sink: LineSink, opts: { pollMs?: number; onEnd: (why: string) => void }): Promise<LogSource> {
  const first = await roots.openForRead(path);
  const real = first.path;
  let handle: FileHandle = first.handle;
  let ino = (await handle.stat()).ino;
  let pos = first.size;
  let partial = '';
  let decoder = new StringDecoder('utf8');
  let stopped = false;
  let busy = false;
  let again = false;
  const buf = Buffer.allocUnsafe(64 * 1024);

  const readMore = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        // rotated (a new file at the path) or truncated: start over at the new beginning
        const st = await stat(real).catch(() => null);
        if (st && st.ino !== ino) {
          await handle.close().catch(() => undefined);
          const next = await roots.openForRead(path);
          handle = next.handle;
          ino = (await handle.stat()).ino;
          pos = 0;
          partial = '';
          decoder = new StringDecoder('utf8');
        } else if (st && st.size < pos) {
          pos = 0;
          partial = '';
          decoder = new StringDecoder('utf8');
        }
        for (;;) {
          const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
          if (bytesRead === 0 || stopped) break;
          pos += bytesRead;
          const text = partial + decoder.write(buf.subarray(0, bytesRead));
          const parts = text.split('\n');
          partial = cap(parts.pop() ?? '');
          const now = Date.now();
          const lines = parts.map((l) => ({ ts: now, line: cap(l.endsWith('\r') ? l.slice(0, -1) : l) }));
          if (lines.length > 0) sink(lines);
        }
      } while (again && !stopped);
    } catch (err) {
      if (!stopped) {
        stopped = true;
        opts.onEnd(err instanceof FileRefusal ? err.message : `reading ${path} failed: ${(err as Error).message}`);
      }
    } finally {
      busy = false;
    }
  };

  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(real, { persistent: false }, () => void readMore());
    watcher.on('error', () => undefined);
  } catch {
    watcher = null; // no inotify here: the poll alone
  }
  const poll = setInterval(() => void readMore(), opts.pollMs ?? 250);
  poll.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(poll);
      watcher?.close();
      void handle.close().catch(() => undefined);
    },
  };
}
