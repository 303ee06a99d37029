// File download and upload through an agent (GET/POST /api/agents/{id}/files). The bytes
// travel over the agent's WebSocket in chunks of FILE_CHUNK_BYTES, one at a time: the agent
// sends (or takes) the next chunk only once the previous one is acknowledged, so neither
// side ever holds more than a chunk and a stream buffer of a transfer in memory. The agent
// confines every path to the roots its own config allows (realpath, containment, no
// symlink escape, its key/config/spool never), hashes what it reads or writes, and writes
// uploads to a temporary file it renames into place only once the sha256 matches.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { FILE_CHUNK_BYTES, FILE_WINDOW_CHUNKS, FLEET_REFUSALS, type FleetAgentMessage } from '@breakwater/contracts';
import { audit, fleet, type Db, type NodeRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { AgentReach, Conversation } from './agent-links.ts';
import { Inbox } from './inbox.ts';

export interface Who {
  workspaceId: string;
  actor: string;
  requestId: string;
}

export interface FileTransfersDeps {
  db: Db;
  clock: Clock;
  reach: AgentReach;
  /** How long the agent may stay silent in the middle of a transfer. */
  idleTimeoutMs?: number;
}

export function refusal(code: string, message: string): AppError {
  const status = (FLEET_REFUSALS as Record<string, number>)[code] ?? 502;
  return new AppError(status, code in FLEET_REFUSALS ? code : 'agent_error', message);
}

/** The agent's refusal as an AppError naming the request's field (path for downloads; dest, or file when too large, for uploads). */
function errorOf(msg: FleetAgentMessage, field: 'path' | 'dest' = 'path'): AppError | null {
  if (msg.type !== 'file.error') return null;
  return refusal(msg.code, `${field === 'dest' && msg.code === 'too_large' ? 'file' : field}: ${msg.message}`);
}

export interface Download {
  path: string;
  size: number;
  sha256: string;
  body: Readable;
}

export class FileTransfers {
  readonly #d: FileTransfersDeps & { idleTimeoutMs: number };

  constructor(deps: FileTransfersDeps) {
    this.#d = { ...deps, idleTimeoutMs: deps.idleTimeoutMs ?? 30_000 };
  }

  async #record(who: Who, node: NodeRow, id: string, direction: 'download' | 'upload', path: string): Promise<void> {
    await fleet.insertTransfer(this.#d.db, {
      id, workspace_id: node.workspace_id, node_id: node.id, direction, path, size: null, sha256: null, status: 'running', error: null,
      actor: who.actor, created_at: this.#d.clock.now(), finished_at: null,
    });
  }

  async #finish(who: Who, node: NodeRow, id: string, direction: 'download' | 'upload', path: string, outcome: { size?: number; sha256?: string; error?: AppError }): Promise<void> {
    const now = this.#d.clock.now();
    const e = outcome.error;
    await fleet.finishTransfer(this.#d.db, id, {
      status: e ? 'failed' : 'done', error: e ? `${e.code}: ${e.message}` : null, finished_at: now,
      ...(outcome.size !== undefined ? { size: outcome.size } : {}), ...(outcome.sha256 ? { sha256: outcome.sha256 } : {}),
    }).catch(() => undefined);
    await audit.appendAudit(this.#d.db, {
      workspaceId: who.workspaceId, actor: who.actor, action: `agent.file.${direction}`, target: node.uuid, requestId: who.requestId, at: now,
      detail: { transfer_id: id, path, size: outcome.size ?? null, sha256: outcome.sha256 ?? null, result: e ? 'refused' : 'ok', ...(e ? { error: e.code, message: e.message } : {}) },
    });
  }

  #open(node: NodeRow, id: string, inbox: Inbox): Promise<Conversation> {
    return this.#d.reach.open(node.id, id, {
      onMessage: (m) => inbox.push(m),
      onGone: (why) => inbox.fail(new AppError(502, 'agent_disconnected', `The transfer stopped: ${why}`)),
    });
  }

  /** Asks the agent for a file; resolves once the agent has found and hashed it, with the body to stream. */
  async download(node: NodeRow, path: string, who: Who): Promise<Download> {
    const id = randomUUID();
    const inbox = new Inbox();
    const conv = await this.#open(node, id, inbox);
    await this.#record(who, node, id, 'download', path);
    let meta: FleetAgentMessage;
    try {
      if (!conv.send({ type: 'file.get', transfer_id: id, path })) throw new AppError(503, 'agent_busy', 'The agent\'s connection is saturated; try again');
      meta = await inbox.next(this.#d.idleTimeoutMs, 'file lookup');
      const err = errorOf(meta);
      if (err) throw err;
      if (meta.type !== 'file.meta') throw new AppError(502, 'agent_error', `The agent answered ${meta.type} to a download`);
    } catch (err) {
      conv.close();
      await this.#finish(who, node, id, 'download', path, { error: err as AppError });
      throw err;
    }
    const { size, sha256 } = meta;
    const hash = createHash('sha256');
    let received = 0;
    let expectSeq = 0;
    let pendingAck: number | null = null;
    let ended = false;
    const finish = (error?: AppError) => {
      if (ended) return;
      ended = true;
      conv.close();
      if (error) {
        conv.send({ type: 'file.abort', transfer_id: id });
        body.destroy(error);
      }
      void this.#finish(who, node, id, 'download', meta.path, error ? { size: received, error } : { size, sha256 }).catch(() => undefined);
    };
    const body = new Readable({
      highWaterMark: FILE_CHUNK_BYTES,
      read: () => {
        if (pendingAck === null) return;
        const seq = pendingAck;
        pendingAck = null;
        conv.send({ type: 'file.ack', transfer_id: id, seq });
      },
    });
    body.on('close', () => {
      if (!ended) finish(new AppError(499, 'client_closed', 'The client stopped reading the download'));
    });
    let idle: NodeJS.Timeout | null = null;
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      if (ended) return;
      idle = setTimeout(() => finish(new AppError(504, 'agent_timeout', 'The agent stopped sending the file')), this.#d.idleTimeoutMs);
      idle.unref();
    };
    const pump = async () => {
      armIdle();
      while (!ended && received < size) {
        const m = await inbox.next(this.#d.idleTimeoutMs, 'file data');
        armIdle();
        const err = errorOf(m);
        if (err) throw err;
        if (m.type !== 'file.chunk' || m.seq !== expectSeq) throw new AppError(502, 'agent_error', `The agent sent ${m.type} out of order`);
        expectSeq++;
        const buf = Buffer.from(m.data, 'base64');
        received += buf.length;
        if (received > size) throw new AppError(502, 'agent_error', 'The agent sent more bytes than the file holds');
        hash.update(buf);
        if (received === size) {
          if (hash.digest('hex') !== sha256) throw refusal('checksum_mismatch', `path: ${meta.path} changed while it was read (sha256 differs); try again`);
          body.push(buf);
          body.push(null);
          if (idle) clearTimeout(idle);
          finish();
          return;
        }
        if (body.push(buf)) conv.send({ type: 'file.ack', transfer_id: id, seq: m.seq });
        else pendingAck = m.seq;
      }
      if (size === 0) {
        body.push(null);
        finish();
      }
    };
    pump().catch((err: unknown) => {
      if (idle) clearTimeout(idle);
      finish(err instanceof AppError ? err : new AppError(502, 'agent_error', (err as Error).message));
    });
    return { path: meta.path, size, sha256, body };
  }

  /** Sends a file the server already holds whole (spooled and hashed) to the agent, which writes it under `dest`. */
  async upload(node: NodeRow, file: { tmpPath: string; size: number; sha256: string }, dest: string, who: Who): Promise<{ path: string; size: number; sha256: string }> {
    const id = randomUUID();
    const inbox = new Inbox();
    const conv = await this.#open(node, id, inbox);
    await this.#record(who, node, id, 'upload', dest);
    const expect = async (type: FleetAgentMessage['type'], what: string) => {
      const m = await inbox.next(this.#d.idleTimeoutMs, what);
      const err = errorOf(m, 'dest');
      if (err) throw err;
      if (m.type !== type) throw new AppError(502, 'agent_error', `The agent answered ${m.type}, expected ${type}`);
      return m;
    };
    try {
      if (!conv.send({ type: 'file.put', transfer_id: id, dest, size: file.size, sha256: file.sha256 })) throw new AppError(503, 'agent_busy', 'The agent\'s connection is saturated; try again');
      await expect('file.ready', 'upload destination');
      // Up to FILE_WINDOW_CHUNKS in flight; the agent acknowledges each chunk once written, in order.
      let seq = 0;
      let acked = -1;
      const ackOne = async () => {
        const ack = await expect('file.ack', 'file data');
        if (ack.type !== 'file.ack' || ack.seq !== acked + 1) throw new AppError(502, 'agent_error', 'The agent acknowledged chunks out of order');
        acked = ack.seq;
      };
      for await (const chunk of createReadStream(file.tmpPath, { highWaterMark: FILE_CHUNK_BYTES })) {
        while (seq - acked > FILE_WINDOW_CHUNKS) await ackOne();
        if (!conv.send({ type: 'file.chunk', transfer_id: id, seq, data: (chunk as Buffer).toString('base64') })) throw new AppError(503, 'agent_busy', 'The agent\'s connection is saturated');
        seq++;
      }
      while (acked < seq - 1) await ackOne();
      const done = await expect('file.done', 'final checksum');
      if (done.type !== 'file.done' || done.sha256 !== file.sha256 || done.size !== file.size) {
        throw refusal('checksum_mismatch', 'file: the agent wrote something else than was sent (sha256 or size differ)');
      }
      await this.#finish(who, node, id, 'upload', done.path, { size: done.size, sha256: done.sha256 });
      return { path: done.path, size: done.size, sha256: done.sha256 };
    } catch (err) {
      conv.send({ type: 'file.abort', transfer_id: id });
      await this.#finish(who, node, id, 'upload', dest, { error: err instanceof AppError ? err : new AppError(502, 'agent_error', (err as Error).message) });
      throw err;
    } finally {
      conv.close();
    }
  }
}
