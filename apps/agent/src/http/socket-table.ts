// Open TCP connections to the web ports, from the kernel's socket table (/proc/net/tcp and tcp6 of
// the agent's network namespace): how many, and from whom. Slowloris-like floods hold many
// connections open while sending almost no requests, so the access log alone never sees them.
// Read in bounded chunks, one line at a time; the per-source count is bounded too.
import { open } from 'node:fs/promises';
import type { HttpTick } from '@breakwater/contracts';
import { BoundedCounter } from './bounded-counter.ts';
import { LineSplitter } from './line-splitter.ts';

const ESTABLISHED = '01';

export interface SocketTableOptions {
  ports: readonly number[];
  maxKeys: number;
  listSize: number;
  /** Files to read; the kernel's by default. */
  files?: readonly string[];
  /** Bytes read per file at most (a host with a million sockets is not read whole every second). */
  maxBytes?: number;
}

/** `0100007F` → 127.0.0.1; 32 hex digits → an IPv6 address (v4-mapped ones as IPv4). */
export function hexAddress(hex: string): string | null {
  if (hex.length === 8) {
    const n = Number.parseInt(hex, 16);
    if (!Number.isFinite(n)) return null;
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  if (hex.length !== 32) return null;
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.some((b) => !Number.isFinite(b))) return null;
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export class SocketTable {
  readonly #o: SocketTableOptions;
  readonly #ports: Set<number>;

  constructor(o: SocketTableOptions) {
    this.#o = o;
    this.#ports = new Set(o.ports);
  }

  async read(): Promise<NonNullable<HttpTick['connections']>> {
    const counter = new BoundedCounter(this.#o.maxKeys);
    let openCount = 0;
    const onLine = (b: Buffer) => {
      const f = b.toString('latin1').trim().split(/\s+/, 4);
      if (f.length < 4 || f[3] !== ESTABLISHED) return;
      const local = f[1]!;
      const c = local.lastIndexOf(':');
      if (!this.#ports.has(Number.parseInt(local.slice(c + 1), 16))) return;
      const rem = f[2]!;
      const addr = hexAddress(rem.slice(0, rem.lastIndexOf(':')));
      if (!addr) return;
      openCount++;
      counter.add(addr);
    };
    for (const file of this.#o.files ?? ['/proc/net/tcp', '/proc/net/tcp6']) {
      let fh;
      try {
        fh = await open(file, 'r');
      } catch {
        continue;
      }
      try {
        const splitter = new LineSplitter(512, onLine, () => undefined);
        const buf = Buffer.allocUnsafe(64 * 1024);
        let total = 0;
        const max = this.#o.maxBytes ?? 64 * 1024 * 1024;
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead <= 0) break;
          splitter.push(buf.subarray(0, bytesRead));
          total += bytesRead;
          if (total >= max) break;
        }
      } finally {
        await fh.close();
      }
    }
    return { open: openCount, sources: counter.top(this.#o.listSize) };
  }
}
