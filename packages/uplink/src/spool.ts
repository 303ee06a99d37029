// A bounded on-disk FIFO for what the agent could not deliver: metrics, incident
// reports, PCAP references. Records are JSON lines in numbered segment files; a cursor
// file (replaced atomically) says how far delivery got, so a restarted agent resumes
// exactly where it stopped. When the bound is reached the oldest whole segments go
// first, and how many records were dropped is counted — losing old samples beats
// filling the disk of the server we protect.
import { appendFileSync, existsSync, fsyncSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolOptions {
  dir: string;
  /** Upper bound on the bytes kept on disk. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
}

export interface SpoolEntry<T> {
  /** Position of the record: segment number and line index within it. */
  segment: number;
  line: number;
  record: T;
}

interface Cursor {
  segment: number;
  line: number;
  dropped: number;
}

const SEGMENT = /^(\d{10})\.jsonl$/;
const name = (n: number) => `${String(n).padStart(10, '0')}.jsonl`;

export class Spool<T> {
  readonly #o: SpoolOptions;
  #cursor: Cursor;
  #segments: number[];
  #writeSegment: number;
  #writeBytes: number;
  /** The write segment's lines as written: delivery reads them from here, not from disk every second. */
  #tail: { seg: number; lines: string[] } | null = null;

  constructor(options: SpoolOptions) {
    if (!Number.isInteger(options.maxBytes) || options.maxBytes < 4096) throw new Error(`spool.maxBytes: must be an integer >= 4096, got ${options.maxBytes}`);
    if (!Number.isInteger(options.segmentBytes) || options.segmentBytes < 1024 || options.segmentBytes > options.maxBytes / 2) {
      throw new Error(`spool.segmentBytes: must be an integer from 1024 to maxBytes/2, got ${options.segmentBytes}`);
    }
    this.#o = options;
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.#segments = readdirSync(options.dir)
      .map((f) => SEGMENT.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    this.#cursor = this.#readCursor();
    this.#writeSegment = this.#segments.at(-1) ?? Math.max(1, this.#cursor.segment);
    if (this.#segments.length > 0) this.#cutTornTail(join(options.dir, name(this.#writeSegment)));
    this.#writeBytes = this.#segments.length > 0 ? statSync(join(options.dir, name(this.#writeSegment))).size : 0;
    if (this.#segments.length === 0) this.#segments.push(this.#writeSegment);
  }

  /** Appends records durably (fsync) before returning. */
  append(records: T[]): void {
    if (records.length === 0) return;
    const lines = records.map((r) => JSON.stringify(r));
    const text = lines.join('\n') + '\n';
    if (this.#writeBytes > 0 && this.#writeBytes + text.length > this.#o.segmentBytes) {
      this.#writeSegment++;
      this.#segments.push(this.#writeSegment);
      this.#writeBytes = 0;
    }
    const path = join(this.#o.dir, name(this.#writeSegment));
    appendFileSync(path, text, { mode: 0o600 });
    if (this.#tail?.seg === this.#writeSegment) this.#tail.lines.push(...lines);
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#writeBytes += Buffer.byteLength(text);
    this.#enforceBound();
  }

  /** The oldest undelivered records, at most `max`, in order. */
  peek(max: number): SpoolEntry<T>[] {
    const out: SpoolEntry<T>[] = [];
    for (const seg of this.#segments) {
      if (seg < this.#cursor.segment) continue;
      const lines = this.#lines(seg);
      const from = seg === this.#cursor.segment ? this.#cursor.line : 0;
      for (let i = from; i < lines.length && out.length < max; i++) {
        try {
          out.push({ segment: seg, line: i, record: JSON.parse(lines[i]!) as T });
        } catch {
          // A torn last line from a crash mid-append: it was never acknowledged to anyone.
        }
      }
      if (out.length >= max) break;
    }
    return out;
  }

  /** Marks everything up to and including `entry` as delivered. */
  ack(entry: Pick<SpoolEntry<T>, 'segment' | 'line'>): void {
    this.#cursor = { ...this.#cursor, segment: entry.segment, line: entry.line + 1 };
    // Whole segments behind the cursor are done with.
    for (const seg of [...this.#segments]) {
      if (seg < this.#cursor.segment && seg !== this.#writeSegment) this.#removeSegment(seg);
    }
    this.#writeCursor();
  }

  /** Records waiting for delivery (reads the files: for status reports, not hot paths). */
  size(): number {
    let n = 0;
    for (const seg of this.#segments) {
      if (seg < this.#cursor.segment) continue;
      const lines = this.#lines(seg).length;
      n += seg === this.#cursor.segment ? Math.max(0, lines - this.#cursor.line) : lines;
    }
    return n;
  }

  /** Bytes the spool's files take on disk (stats them: for metrics scrapes, not hot paths). */
  bytes(): number {
    return this.#bytes();
  }

  /** Records dropped to keep within the bound, since the spool was created. */
  get dropped(): number {
    return this.#cursor.dropped;
  }

  /** A crash mid-append leaves a line without its newline; cut it so later appends start clean. */
  #cutTornTail(path: string): void {
    const buf = readFileSync(path);
    if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
    truncateSync(path, buf.lastIndexOf(0x0a) + 1);
  }

  #lines(seg: number): string[] {
    if (this.#tail?.seg === seg) return this.#tail.lines;
    const path = join(this.#o.dir, name(seg));
    if (!existsSync(path)) return [];
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn write
    if (seg === this.#writeSegment) this.#tail = { seg, lines };
    return lines;
  }

  #bytes(): number {
    return this.#segments.reduce((a, s) => {
      const p = join(this.#o.dir, name(s));
      return a + (existsSync(p) ? statSync(p).size : 0);
    }, 0);
  }

  #enforceBound(): void {
    while (this.#segments.length > 1 && this.#bytes() > this.#o.maxBytes) {
      const oldest = this.#segments[0]!;
      const lines = this.#lines(oldest).length;
      const undelivered = oldest < this.#cursor.segment ? 0 : oldest === this.#cursor.segment ? lines - this.#cursor.line : lines;
      this.#removeSegment(oldest);
      if (this.#cursor.segment <= oldest) this.#cursor = { segment: oldest + 1, line: 0, dropped: this.#cursor.dropped + Math.max(0, undelivered) };
      this.#writeCursor();
    }
  }

  #removeSegment(seg: number): void {
    if (this.#tail?.seg === seg) this.#tail = null;
    const p = join(this.#o.dir, name(seg));
    if (existsSync(p)) unlinkSync(p);
    this.#segments = this.#segments.filter((s) => s !== seg);
  }

  #readCursor(): Cursor {
    const p = join(this.#o.dir, 'cursor.json');
    const first = this.#segments[0] ?? 1;
    if (!existsSync(p)) return { segment: first, line: 0, dropped: 0 };
    try {
      const c = JSON.parse(readFileSync(p, 'utf8')) as Cursor;
      if (Number.isInteger(c.segment) && Number.isInteger(c.line) && Number.isInteger(c.dropped)) {
        // Segments below the first one present were delivered or dropped already.
        return c.segment < first ? { segment: first, line: 0, dropped: c.dropped } : c;
      }
    } catch {
      // fall through: an unreadable cursor replays from the oldest segment (duplicates
      // are harmless: the server ignores a second copy of a sample)
    }
    return { segment: first, line: 0, dropped: 0 };
  }

  #writeCursor(): void {
    const p = join(this.#o.dir, 'cursor.json');
    const tmp = `${p}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#cursor), { mode: 0o600 });
    renameSync(tmp, p);
  }
}
