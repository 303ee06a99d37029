// The fleet's SSE streams (GET /api/agents/{id}/stream/logs and /stream/metrics): the agent
// is asked over its WebSocket to start the stream; what it sends is written to the client
// as server-sent events. The agent's answer is awaited before any byte goes out, so a
// refusal (a path outside the roots, no such unit) is an ordinary JSON error. A stream
// lives at most maxLifetimeMs; a client that reads slower than the agent writes is dropped
// once maxBufferedBytes wait for it, never buffered without bound; either way the agent is
// told to stop.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FleetAgentMessage, FleetServerMessage, LogSource, StreamKind } from '@breakwater/contracts';
import { audit, type Db, type NodeRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import type { AgentReach } from './agent-links.ts';
import { refusal, type Who } from './file-transfer.ts';
import { Inbox } from './inbox.ts';

export interface LiveStreamsOptions {
  maxLifetimeMs: number;
  maxBufferedBytes: number;
  keepaliveMs: number;
  metricsIntervalMs: number;
  /** How long the agent may take to start a stream. */
  startTimeoutMs: number;
}

export const DEFAULT_LIVE_STREAMS: LiveStreamsOptions = {
  maxLifetimeMs: 3_600_000, maxBufferedBytes: 256 * 1024, keepaliveMs: 15_000, metricsIntervalMs: 5_000, startTimeoutMs: 10_000,
};

export type StreamRequest = { kind: 'logs'; source: LogSource; unit?: string; path?: string } | { kind: 'metrics' };

/** Why a stream ended, for the client's last event and the audit log. */
type EndReason = 'client_closed' | 'lifetime' | 'slow_reader' | 'agent_ended' | 'agent_disconnected' | 'server_stopping';

export class LiveStreams {
  readonly #o: LiveStreamsOptions;
  readonly #d: { db: Db; clock: Clock; reach: AgentReach };
  readonly #open = new Set<() => void>();
  /** Streams dropped because their reader fell behind (for status and tests). */
  droppedSlow = 0;

  constructor(deps: { db: Db; clock: Clock; reach: AgentReach }, options: Partial<LiveStreamsOptions> = {}) {
    this.#d = deps;
    this.#o = { ...DEFAULT_LIVE_STREAMS };
    for (const [k, v] of Object.entries(options) as [keyof LiveStreamsOptions, number | undefined][]) if (v !== undefined) this.#o[k] = v;
  }

  get active(): number {
    return this.#open.size;
  }

  /** Ends every open stream (the server is stopping). */
  stopAll(): void {
    for (const end of [...this.#open]) end();
  }

  async #audit(who: Who, node: NodeRow, action: string, detail: Record<string, unknown>): Promise<void> {
    await audit.appendAudit(this.#d.db, { workspaceId: who.workspaceId, actor: who.actor, action, target: node.uuid, requestId: who.requestId, at: this.#d.clock.now(), detail }).catch(() => undefined);
  }

  /**
   * Asks the agent to start the stream and waits for its answer; on success returns a function
   * that takes over the HTTP response. A refusal throws (and is audited) before anything is written.
   */
  async open(node: NodeRow, req: StreamRequest, who: Who): Promise<(res: ServerResponse) => void> {
    const id = randomUUID();
    const inbox = new Inbox();
    let deliver: ((m: FleetAgentMessage) => void) | null = null;
    let gone: ((why: string) => void) | null = null;
    let goneEarly: string | null = null;
    const conv = await this.#d.reach.open(node.id, id, {
      onMessage: (m) => (deliver ? deliver(m) : inbox.push(m)),
      onGone: (why) => {
        goneEarly = why;
        if (gone) gone(why);
        else inbox.fail(new AppError(502, 'agent_disconnected', `The stream could not start: ${why}`));
      },
    });
    const what = req.kind === 'logs' ? { kind: 'logs', source: req.source, ...(req.source === 'journald' ? { unit: req.unit } : { path: req.path }) } : { kind: 'metrics' };
    const openMsg: FleetServerMessage = req.kind === 'logs'
      ? { type: 'stream.open', stream_id: id, kind: 'logs', source: req.source, ...(req.unit !== undefined ? { unit: req.unit } : {}), ...(req.path !== undefined ? { path: req.path } : {}) }
      : { type: 'stream.open', stream_id: id, kind: 'metrics', interval_ms: this.#o.metricsIntervalMs };
    try {
      if (!conv.send(openMsg)) throw new AppError(503, 'agent_busy', 'The agent\'s connection is saturated; try again');
      const first = await inbox.next(this.#o.startTimeoutMs, 'stream start');
      if (first.type === 'stream.end') throw refusal(first.code ?? 'unavailable', `${req.kind === 'logs' && req.source === 'journald' ? 'unit' : req.kind === 'logs' ? 'path' : 'stream'}: ${first.message ?? 'the agent refused the stream'}`);
      if (first.type !== 'stream.started') throw new AppError(502, 'agent_error', `The agent answered ${first.type} to a stream request`);
    } catch (err) {
      conv.close();
      conv.send({ type: 'stream.close', stream_id: id });
      const e = err as AppError;
      await this.#audit(who, node, 'agent.stream.open', { ...what, stream_id: id, result: 'refused', error: e.code ?? 'error', message: e.message });
      throw err;
    }
    await this.#audit(who, node, 'agent.stream.open', { ...what, stream_id: id, result: 'opened' });
    const startedAt = this.#d.clock.now();

    return (res: ServerResponse) => {
      let events = 0;
      let ended = false;
      const timers: NodeJS.Timeout[] = [];
      const end = (reason: EndReason, detail?: string) => {
        if (ended) return;
        ended = true;
        for (const t of timers) clearTimeout(t); // clears intervals too
        this.#open.delete(stop);
        conv.close();
        conv.send({ type: 'stream.close', stream_id: id });
        if (reason === 'slow_reader') {
          this.droppedSlow++;
          res.destroy();
        } else if (!res.destroyed) {
          res.end(`event: end\ndata: ${JSON.stringify({ reason, ...(detail ? { message: detail } : {}) })}\n\n`);
        }
        void this.#audit(who, node, 'agent.stream.close', { ...what, stream_id: id, reason, events, seconds: Math.round((this.#d.clock.now() - startedAt) / 1000) });
      };
      const stop = () => end('server_stopping');
      this.#open.add(stop);
      const write = (event: string, data: unknown): void => {
        if (ended) return;
        // A reader this far behind is dropped: what waits for it is bounded by maxBufferedBytes.
        if (res.writableLength > this.#o.maxBufferedBytes) {
          end('slow_reader');
          return;
        }
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        events++;
      };
      res.on('close', () => end('client_closed'));
      const onMessage = (m: FleetAgentMessage) => {
        if (m.type === 'stream.lines') {
          for (const line of m.lines) write('log', line);
          if (m.dropped) write('dropped', { lines: m.dropped });
        } else if (m.type === 'stream.metrics') write('metrics', m.snapshot);
        else if (m.type === 'stream.end') end('agent_ended', m.message);
      };
      deliver = onMessage;
      gone = (why) => end('agent_disconnected', why);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no',
      });
      res.write(`retry: 5000\nevent: ready\ndata: ${JSON.stringify({ stream_id: id, ...what, max_seconds: Math.round(this.#o.maxLifetimeMs / 1000) })}\n\n`);
      // Whatever arrived between the agent's answer and now goes out first.
      for (const m of inbox.drain()) onMessage(m);
      if (goneEarly !== null) end('agent_disconnected', goneEarly);
      const life = setTimeout(() => end('lifetime'), this.#o.maxLifetimeMs);
      life.unref();
      const keepalive = setInterval(() => {
        if (!ended && res.writableLength <= this.#o.maxBufferedBytes) res.write(': keepalive\n\n');
      }, this.#o.keepaliveMs);
      keepalive.unref();
      timers.push(life, keepalive);
    };
  }
}

export type { StreamKind };
