// Follows one access log by polling: starts at its end (never reads what was there before), reads
// what is appended, and survives both rotations:
//  - rename (logrotate's default, then the server reopens): the old file is read to its end
//    through the descriptor still open on it, then the new file from its start;
//  - copytruncate: the file shrinks under us; what was appended between the last read and the
//    copy is read from the copy (`PATH.1`) when it is there and long enough, then the file again
//    from its start. (Lines written between the copy and the truncation are lost to every reader:
//    that is copytruncate's own window.)
// Reads are bounded per poll, lines by LineSplitter; every skip is counted.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { HttpLogCounters } from '@breakwater/contracts';
import { LineSplitter, textOf } from './line-splitter.ts';

export interface LogTailerOptions {
  path: string;
  maxLineBytes: number;
  /** Bytes read per poll at most; the rest waits for the next poll. */
  readBudgetBytes?: number;
}

const TAIL_BYTES = 64;

export const emptyLogCounters = (): HttpLogCounters => ({ lines: 0, parsed: 0, too_long: 0, garbage: 0, unparsed: 0, rotations: 0, truncations: 0 });

export class LogTailer {
  readonly path: string;
  readonly counters: HttpLogCounters = emptyLogCounters();
  readonly #budget: number;
  readonly #splitter: LineSplitter;
  readonly #buf = Buffer.allocUnsafe(64 * 1024);
  #fd: number | null = null;
  #ino = -1;
  #dev = -1;
  #pos = 0;
  /** The last bytes read before #pos (up to TAIL_BYTES), to recognise the same file content. */
  #tail: Buffer = Buffer.alloc(0);

  constructor(opts: LogTailerOptions, onLine: (line: string) => void) {
    this.path = opts.path;
    this.#budget = opts.readBudgetBytes ?? 8 * 1024 * 1024;
    this.#splitter = new LineSplitter(opts.maxLineBytes, (b) => {
      if (b.length === 0) return;
      this.counters.lines++;
      const text = textOf(b);
      if (text === null) this.counters.garbage++;
      else onLine(text);
    }, () => {
      this.counters.lines++;
      this.counters.too_long++;
    });
  }

  /** Opens the file at its end (a missing file is picked up from its start when it appears). */
  start(): void {
    if (this.#open()) this.#pos = fstatSync(this.#fd!).size;
    this.#tail = Buffer.alloc(0);
  }

  stop(): void {
    this.#close();
  }

  /** Reads what is new; returns the bytes read. */
  poll(): number {
    let st: { ino: number; dev: number; size: number } | null = null;
    try {
      st = statSync(this.path);
    } catch {
      // Renamed away and not yet recreated: finish the old file.
      return this.#fd === null ? 0 : this.#drain(this.#budget);
    }
    if (this.#fd === null) {
      if (!this.#open()) return 0;
      this.#pos = 0;
      this.#tail = Buffer.alloc(0);
    } else if (st.ino !== this.#ino || st.dev !== this.#dev) {
      const n = this.#drain(Number.MAX_SAFE_INTEGER);
      this.#close();
      this.#splitter.reset();
      this.counters.rotations++;
      this.#tail = Buffer.alloc(0);
      if (!this.#open()) return n;
      this.#pos = 0;
      return n + this.#drain(this.#budget);
    } else if (st.size < this.#pos || !this.#sameTail()) {
      this.counters.truncations++;
      this.#fromCopy();
      this.#splitter.reset();
      this.#pos = 0;
      this.#tail = Buffer.alloc(0);
    }
    return this.#drain(this.#budget);
  }

  /**
   * The last bytes we read are still where we read them. A file truncated and written again past
   * our offset between two polls (copytruncate under a busy server) shows a bigger size, but not
   * our bytes at our offset.
   */
  #sameTail(): boolean {
    const want = this.#tail;
    if (this.#fd === null || want.length === 0) return true;
    const got = Buffer.allocUnsafe(want.length);
    const n = readSync(this.#fd, got, 0, want.length, this.#pos - want.length);
    return n === want.length && got.equals(want);
  }

  #remember(chunk: Buffer): void {
    const keep = Math.min(TAIL_BYTES, chunk.length);
    this.#tail = Buffer.from(chunk.subarray(chunk.length - keep));
  }

  /** Bytes held for a line not yet complete (at most the line cap). */
  get pendingBytes(): number {
    return this.#splitter.pending;
  }

  /** After copytruncate: the bytes we had not read yet are at the same offsets in the copy. */
  #fromCopy(): void {
    let fd: number;
    try {
      fd = openSync(`${this.path}.1`, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      let pos = this.#pos;
      while (pos < size) {
        const n = readSync(fd, this.#buf, 0, Math.min(this.#buf.length, size - pos), pos);
        if (n <= 0) break;
        pos += n;
        this.#splitter.push(this.#buf.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  }

  #drain(budget: number): number {
    if (this.#fd === null) return 0;
    let total = 0;
    while (total < budget) {
      const n = readSync(this.#fd, this.#buf, 0, this.#buf.length, this.#pos);
      if (n <= 0) break;
      this.#pos += n;
      total += n;
      this.#remember(this.#buf.subarray(0, n));
      this.#splitter.push(this.#buf.subarray(0, n));
    }
    return total;
  }

  #open(): boolean {
    try {
      this.#fd = openSync(this.path, 'r');
    } catch {
      this.#fd = null;
      return false;
    }
    const st = fstatSync(this.#fd);
    this.#ino = st.ino;
    this.#dev = st.dev;
    return true;
  }

  #close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}
