// The dashboard's live stream: Server-Sent Events on the session cookie (EventSource sends it by
// itself, so no token ever appears in a URL). A stream gets `hello` (who, and the workspace's
// recent per-second totals), then `frame` every second and `live` for each stored change.
import type { FastifyInstance } from 'fastify';
import { tokens } from '@breakwater/db';
import type { AppContext } from '../context.ts';
import { userOf } from '../auth/principal.ts';
import { HISTORY_SECONDS, WorkspaceFeed, sse, workspaceHistory } from '../services/live/workspace-feed.ts';
import { SESSION_SECURITY as security } from './security.ts';

/** A revoked or expired session stops its streams within this long. */
const SESSION_RECHECK_MS = 30_000;
/** Comment lines keep proxies from closing a quiet connection. */
const KEEPALIVE_MS = 15_000;

export async function dashLiveRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const feeds = new Map<string, WorkspaceFeed>();
  const open = new Set<() => void>();

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get('/live', {
    onRequest: ctx.auth.session('viewer'),
    schema: {
      tags: ['dashboard'], security,
      summary: 'Live stream (text/event-stream): hello, then a frame of node status and traffic every second, and incident/mitigation events as they are stored',
    },
  }, async (req, reply) => {
    const p = userOf(req);
    const ws = p.workspaceId;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': req.id,
    });
    // A slow reader skips frames instead of piling them up in memory; the next one is complete.
    let blocked = false;
    const send = (chunk: string) => {
      if (blocked || res.writableEnded) return;
      if (!res.write(chunk)) {
        blocked = true;
        res.once('drain', () => (blocked = false));
      }
    };
    let ended = false;
    let leave = () => {};
    const timers: NodeJS.Timeout[] = [];
    const end = () => {
      if (ended) return;
      ended = true;
      for (const timer of timers) clearInterval(timer);
      leave();
      open.delete(end);
      if (!res.writableEnded) res.end();
    };
    open.add(end);
    res.on('close', end);

    send(`retry: 2000\n\n`);
    // Without history the charts still fill from the frames; the stream itself matters more.
    const history = await workspaceHistory(ctx, ws, HISTORY_SECONDS).catch(() => []);
    if (ended) return;
    send(sse('hello', { user_id: p.userId, role: p.role, workspace_id: ws, history }));
    let feed = feeds.get(ws);
    if (!feed) {
      const created: WorkspaceFeed = new WorkspaceFeed(ctx, ws, () => {
        if (feeds.get(ws) === created) feeds.delete(ws);
      });
      feeds.set(ws, (feed = created));
    }
    leave = feed.add(send);
    timers.push(setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS));
    timers.push(setInterval(() => {
      void tokens.findSessionByDigest(ctx.db, p.sessionDigest).then((s) => {
        if (!s || s.expires_at <= ctx.clock.now()) {
          send(sse('signed_out', { reason: 'Session ended; sign in again' }));
          end();
        }
      }, () => undefined);
    }, SESSION_RECHECK_MS));
  });
}
