// The agent's side of file transfers (GET/POST /api/agents/{id}/files), over its WebSocket.
// Download: the file is opened once (confined by FileRoots), hashed, announced with its size
// and sha256, then sent chunk by chunk, each after the server acknowledged the one before.
// Upload: written to a temporary file beside the destination (created exclusively, 0600),
// hashed as it comes, and renamed over the destination only when size and sha256 match what
// the server announced; anything else removes the temporary file.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { chmod, lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FILE_CHUNK_BYTES, FILE_WINDOW_CHUNKS } from '@breakwater/contracts/plain';
import type { FleetAgentMessage, FleetServerMessage } from '@breakwater/contracts';
import { FileRefusal, type FileRoots } from './file-roots.ts';

type Send = (msg: FleetAgentMessage) => boolean;

interface Outgoing { kind: 'out'; handle: FileHandle; size: number; sent: number; seq: number; acked: number }
interface Incoming { kind: 'in'; handle: FileHandle; tmp: string; target: string; size: number; sha256: string; got: number; seq: number; hash: Hash }

export class AgentFiles {
  readonly #roots: FileRoots;
  readonly #send: Send;
  readonly #log: (m: string) => void;
  readonly #open = new Map<string, Outgoing | Incoming>();
  /** Each transfer's messages are handled one after another (a chunk is written before the next). */
  readonly #queues = new Map<string, Promise<void>>();

  constructor(roots: FileRoots, send: Send, log: (m: string) => void) {
    this.#roots = roots;
    this.#send = send;
    this.#log = log;
  }

  get active(): number {
    return this.#open.size;
  }

  handle(msg: FleetServerMessage): void {
    const run = async () => {
      if (msg.type === 'file.get') await this.#get(msg.transfer_id, msg.path);
      else if (msg.type === 'file.put') await this.#put(msg.transfer_id, msg.dest, msg.size, msg.sha256);
      else if (msg.type === 'file.ack') await this.#acked(msg.transfer_id, msg.seq);
      else if (msg.type === 'file.chunk') await this.#chunk(msg.transfer_id, msg.seq, msg.data);
      else if (msg.type === 'file.abort') await this.#drop(msg.transfer_id);
    };
    const id = 'transfer_id' in msg ? msg.transfer_id : '';
    const next = (this.#queues.get(id) ?? Promise.resolve()).then(run).catch(async (err: unknown) => {
      const r = err instanceof FileRefusal ? err : new FileRefusal('io_error', (err as Error).message);
      if (msg.type === 'file.get' || msg.type === 'file.put') this.#log(`file ${msg.type === 'file.get' ? 'download' : 'upload'} refused: ${r.message}`);
      await this.#drop(id);
      this.#send({ type: 'file.error', transfer_id: id, code: r.code, message: r.message });
    });
    this.#queues.set(id, next);
    void next.finally(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    });
  }

  /** The server is gone: every transfer ends, temporary files removed. */
  async abortAll(): Promise<void> {
    for (const id of [...this.#open.keys()]) await this.#drop(id);
  }

  async #drop(id: string): Promise<void> {
    const t = this.#open.get(id);
    if (!t) return;
    this.#open.delete(id);
    await t.handle.close().catch(() => undefined);
    if (t.kind === 'in') await rm(t.tmp, { force: true });
  }

  async #get(id: string, path: string): Promise<void> {
    const f = await this.#roots.openForRead(path);
    const t: Outgoing = { kind: 'out', handle: f.handle, size: f.size, sent: 0, seq: 0, acked: -1 };
    this.#open.set(id, t);
    if (f.size > this.#roots.maxBytes) throw new FileRefusal('too_large', `${path} (${f.size} bytes) is over this agent's limit of ${this.#roots.maxBytes} bytes (file_max_bytes)`);
    // Hashed first, so the server can name the sha256 in its reply headers and check every byte against it.
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
    for (let pos = 0; pos < f.size;) {
      const { bytesRead } = await f.handle.read(buf, 0, Math.min(buf.length, f.size - pos), pos);
      if (bytesRead === 0) throw new FileRefusal('io_error', `${path} shrank while it was read`);
      hash.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    this.#send({ type: 'file.meta', transfer_id: id, path: f.path, size: f.size, sha256: hash.digest('hex') });
    this.#log(`file download: ${f.path} (${f.size} bytes)`);
    await this.#fill(id, t);
  }

  /** Sends chunks until FILE_WINDOW_CHUNKS are unacknowledged or the file is sent. */
  async #fill(id: string, t: Outgoing): Promise<void> {
    while (this.#open.get(id) === t && t.sent < t.size && t.seq - 1 - t.acked < FILE_WINDOW_CHUNKS) await this.#sendNext(id, t);
    if (t.sent >= t.size) await this.#drop(id);
  }

  async #sendNext(id: string, t: Outgoing): Promise<void> {
    if (t.sent >= t.size) {
      await this.#drop(id);
      return;
    }
    const buf = Buffer.allocUnsafe(Math.min(FILE_CHUNK_BYTES, t.size - t.sent));
    const { bytesRead } = await t.handle.read(buf, 0, buf.length, t.sent);
    if (bytesRead === 0) throw new FileRefusal('io_error', 'the file shrank while it was sent');
    t.sent += bytesRead;
    this.#send({ type: 'file.chunk', transfer_id: id, seq: t.seq++, data: buf.subarray(0, bytesRead).toString('base64') });
  }

  async #acked(id: string, seq: number): Promise<void> {
    const t = this.#open.get(id);
    if (!t || t.kind !== 'out' || !Number.isInteger(seq) || seq >= t.seq) return;
    t.acked = Math.max(t.acked, seq); // cumulative: everything up to seq arrived
    await this.#fill(id, t);
  }

  async #put(id: string, dest: string, size: number, sha256: string): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-f]{64}$/.test(sha256)) throw new FileRefusal('bad_path', 'the upload announced no valid size and sha256');
    const target = await this.#roots.resolveForWrite(dest, size);
    const tmp = join(dirname(target), `.${basename(target)}.bw-upload-${randomBytes(6).toString('hex')}`);
    const handle = await open(tmp, 'wx', 0o600);
    const t: Incoming = { kind: 'in', handle, tmp, target, size, sha256, got: 0, seq: 0, hash: createHash('sha256') };
    this.#open.set(id, t);
    this.#send({ type: 'file.ready', transfer_id: id, path: target });
    if (size === 0) await this.#finish(id, t);
  }

  async #chunk(id: string, seq: number, data: string): Promise<void> {
    const t = this.#open.get(id);
    if (!t || t.kind !== 'in') return;
    if (seq !== t.seq) throw new FileRefusal('io_error', `chunk ${seq} came out of order (expected ${t.seq})`);
    const buf = Buffer.from(data, 'base64');
    if (t.got + buf.length > t.size) throw new FileRefusal('too_large', `more bytes arrived than the ${t.size} announced`);
    await t.handle.write(buf, 0, buf.length, t.got);
    t.hash.update(buf);
    t.got += buf.length;
    t.seq++;
    this.#send({ type: 'file.ack', transfer_id: id, seq });
    if (t.got === t.size) await this.#finish(id, t);
  }

  async #finish(id: string, t: Incoming): Promise<void> {
    await t.handle.sync();
    await t.handle.close();
    const got = t.hash.digest('hex');
    if (got !== t.sha256) {
      // the caller drops the transfer: the temporary file goes, nothing is renamed
      throw new FileRefusal('checksum_mismatch', `what arrived (sha256 ${got}) is not what was sent (${t.sha256}); nothing was written`);
    }
    // A file replaced keeps its permissions; a new one stays 0600 (the operator widens it if needed).
    const old = await lstat(t.target).catch(() => null);
    if (old?.isFile()) await chmod(t.tmp, old.mode & 0o7777);
    await rename(t.tmp, t.target);
    this.#open.delete(id);
    this.#log(`file upload: ${t.target} (${t.size} bytes)`);
    this.#send({ type: 'file.done', transfer_id: id, path: t.target, size: t.size, sha256: got });
  }
}
