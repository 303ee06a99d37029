// Bytes in, complete lines out, never holding more than `maxLineBytes` of one line: a longer line
// is dropped as it streams by (counted once, at its newline), so a 10 MB line costs no 10 MB.
export class LineSplitter {
  readonly #max: number;
  readonly #onLine: (line: Buffer) => void;
  readonly #onTooLong: () => void;
  #parts: Buffer[] = [];
  #len = 0;
  #skipping = false;

  constructor(maxLineBytes: number, onLine: (line: Buffer) => void, onTooLong: () => void) {
    this.#max = maxLineBytes;
    this.#onLine = onLine;
    this.#onTooLong = onTooLong;
  }

  /** `chunk` may be reused by the caller afterwards: what is kept is copied. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        const rest = chunk.subarray(start);
        if (this.#skipping || rest.length === 0) return;
        if (this.#len + rest.length > this.#max) this.#startSkipping();
        else {
          this.#parts.push(Buffer.from(rest));
          this.#len += rest.length;
        }
        return;
      }
      const piece = chunk.subarray(start, nl);
      if (this.#skipping) {
        this.#skipping = false;
        this.#onTooLong();
      } else if (this.#len + piece.length > this.#max) {
        this.#reset();
        this.#onTooLong();
      } else {
        const line = this.#len > 0 ? Buffer.concat([...this.#parts, piece]) : piece;
        this.#reset();
        this.#onLine(line);
      }
      start = nl + 1;
    }
  }

  /** A new file: a partial line of the old one is dropped. */
  reset(): void {
    this.#reset();
    this.#skipping = false;
  }

  /** Bytes held for the line in progress (at most maxLineBytes). */
  get pending(): number {
    return this.#len;
  }

  #startSkipping(): void {
    this.#reset();
    this.#skipping = true;
  }

  #reset(): void {
    this.#parts = [];
    this.#len = 0;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A log line as text, or null when it is binary garbage: control bytes other than tab (and a
 * trailing CR), or not UTF-8. Web servers escape what clients send, so such a line was not written
 * by one.
 */
export function textOf(line: Buffer): string | null {
  let end = line.length;
  if (end > 0 && line[end - 1] === 13) end--;
  for (let i = 0; i < end; i++) {
    const b = line[i]!;
    if ((b < 32 && b !== 9) || b === 127) return null;
  }
  try {
    return utf8.decode(line.subarray(0, end));
  } catch {
    return null;
  }
}
