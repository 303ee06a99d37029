// PCAP files on disk. Paths are built only from server-generated identifiers, so
// nothing a client sends can steer where a file lands.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pcaps, type Db, type NodeRow } from '@breakwater/db';
import { CaptureReader, CaptureRecord } from '@breakwater/packets';
import { badRequest, tooLarge } from '../../errors.ts';

export type PcapFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export function detectFormat(head: Buffer): PcapFormat | null {
  if (head.length < 4) return null;
  const be = head.readUInt32BE(0);
  if (be === 0xa1b2c3d4 || be === 0xd4c3b2a1) return 'pcap';
  if (be === 0xa1b23c4d || be === 0x4d3cb2a1) return 'pcap-ns';
  if (be === 0x0a0d0d0a) return 'pcapng';
  return null;
}

/**
 * Reads a whole file as a capture: a valid pcap or pcapng header, then records whose lengths
 * agree with the file up to its last byte. Returns why it is not one, or null. A cut last
 * record is refused too: agents write whole records, so a cut file is damaged, not truncated.
 */
export async function captureProblem(path: string): Promise<string | null> {
  const reader = new CaptureReader();
  const rec = new CaptureRecord();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    reader.push(chunk);
    while (reader.next(rec));
    if (reader.error) break;
  }
  reader.end();
  while (reader.next(rec));
  const err = reader.error;
  return err ? err.message : null;
}

export function safeFilename(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 100);
  return clean || fallback;
}

export class PcapStore {
  readonly #root: string;
  constructor(dataDir: string) {
    this.#root = resolve(dataDir);
  }

  #confined(...parts: string[]): string {
    const p = resolve(this.#root, ...parts);
    if (!p.startsWith(this.#root + sep)) throw new Error(`path escapes the data directory: ${p}`);
    return p;
  }

  /** Streams `source` to a temporary file, hashing as it goes; enforces `maxBytes`. */
  async receive(source: Readable, maxBytes: number): Promise<{ tmp: string; size: number; sha256: string }> {
    const dir = this.#confined('tmp');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxBytes) return cb(tooLarge(`Upload exceeds the limit of ${maxBytes} bytes`));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { mode: 0o600 }));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { tmp, size, sha256: hash.digest('hex') };
  }

  async discard(tmp: string): Promise<void> {
    await rm(tmp, { force: true });
  }

  /** Checks the file is a capture, moves it into place and records it. */
  async commit(db: Db, node: NodeRow, incidentId: number | null, tmp: string, size: number, sha256: string, filename: string, now: number) {
    const fh = await open(tmp, 'r');
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    await fh.close();
    const format = detectFormat(head);
    const problem = format ? await captureProblem(tmp) : 'not a pcap or pcapng capture (unknown magic number)';
    if (!format || problem) {
      await this.discard(tmp);
      throw badRequest(`invalid pcap: ${problem}`, 'invalid_pcap');
    }
    // An agent whose upload succeeded but whose reply was lost sends the same file again:
    // it gets the stored capture back instead of a second copy.
    const same = await pcaps.findSamePcap(db, node.id, incidentId, sha256);
    if (same) {
      await this.discard(tmp);
      return { id: same.id, uuid: same.uuid, filename: same.filename, format: same.format, size_bytes: same.size_bytes, sha256 };
    }
    const uuid = randomUUID();
    const dir = this.#confined('pcaps', node.workspace_id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${uuid}.${format === 'pcapng' ? 'pcapng' : 'pcap'}`);
    await rename(tmp, path);
    const id = await pcaps.insertPcap(db, {
      uuid, workspace_id: node.workspace_id, node_id: node.id, incident_id: incidentId, filename, path, format, size_bytes: size, sha256, created_at: now,
    });
    return { id, uuid, filename, format, size_bytes: size, sha256 };
  }

  uploadDir(uploadId: string): string {
    return this.#confined('uploads', uploadId);
  }

  async saveChunk(uploadId: string, index: number, source: Readable, maxBytes: number): Promise<number> {
    const dir = this.uploadDir(uploadId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { tmp, size } = await this.receive(source, maxBytes);
    await rename(tmp, join(dir, `chunk-${index}`)); // atomic: a chunk is either whole or absent
    return size;
  }

  async chunkCount(uploadId: string): Promise<{ count: number; bytes: number }> {
    const dir = this.uploadDir(uploadId);
    const names = (await readdir(dir)).filter((n) => /^chunk-\d+$/.test(n));
    let bytes = 0;
    for (const n of names) bytes += (await stat(join(dir, n))).size;
    return { count: names.length, bytes };
  }

  /** Drops an upload's chunks (refused or abandoned). */
  async discardUpload(uploadId: string): Promise<void> {
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
  }

  /** Concatenates chunks 0..total-1 into one file, hashing it. */
  async assemble(uploadId: string, total: number, maxBytes: number): Promise<{ tmp: string; size: number; sha256: string }> {
    const dir = this.uploadDir(uploadId);
    const chunks = Array.from({ length: total }, (_, i) => join(dir, `chunk-${i}`));
    async function* all() {
      for (const c of chunks) yield* createReadStream(c);
    }
    const out = await this.receive(Readable.from(all()), maxBytes);
    await rm(dir, { recursive: true, force: true });
    return out;
  }
}
