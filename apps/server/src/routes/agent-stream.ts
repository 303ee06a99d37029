// The agent's push channel: a WebSocket on which each command queued for the node is sent
// the moment it is stored, so a firewall rule reaches the server under attack at once
// instead of at the next config poll. Authenticated like every agent route (node key and
// X-Node-UUID, checked before the upgrade). The agent acknowledges through POST
// commands/ack as for polled commands, and still polls GET config: the socket speeds
// delivery up, it is not the only way in.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { commands, nodes, type CommandRow } from '@breakwater/db';
import type { AppContext } from '../context.ts';
import { nodeOf } from '../auth/principal.ts';
import { presentPendingCommand } from '../services/present.ts';
import type { LinkSocket } from '../services/fleet/agent-links.ts';
import { NODE_SECURITY as security } from './security.ts';

/** What this route uses of the `ws` socket @fastify/websocket hands over (the package ships no types). */
interface PushSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string): void;
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'close' | 'error' | 'message', listener: () => void): unknown;
}

/** How often the server pings; a socket that has not answered the previous ping is closed. */
export const DEFAULT_STREAM_PING_MS = 30_000;

export async function agentStreamRoutes(app: FastifyInstance, ctx: AppContext, pingMs = DEFAULT_STREAM_PING_MS): Promise<void> {
  app.get('/stream', {
    websocket: true,
    onRequest: ctx.auth.node(),
    schema: { tags: ['agent'], summary: 'WebSocket: commands for this node pushed as they are queued ({type:"command", command})', security },
  }, (socket: PushSocket, req: FastifyRequest) => {
    const node = nodeOf(req);
    // The addresses of this connection are the agent's management path: never to be blocked.
    ctx.commands.guard.notePath(node.id, req.socket.remoteAddress, req.socket.localAddress);
    // Fleet streams and file transfers ride this socket too (their own message kinds).
    ctx.fleet.links.attach(node, socket as unknown as LinkSocket);
    const send = (c: CommandRow) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'command', command: presentPendingCommand(c) }));
    };
    // Subscribed before the pending list is read, so a command queued in between is not
    // missed (it may come twice: the agent drops a command id it has seen).
    const unsubscribe = ctx.commands.onQueued((target, command) => {
      if (target.id === node.id) send(command);
    });
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const ping = setInterval(() => {
      void (async () => {
        // A node deleted (or its key rotated) since the upgrade loses its socket too.
        const still = await nodes.findNodeByKeyDigest(ctx.db, node.api_key_digest).catch(() => node);
        if (!alive || !still || still.id !== node.id) {
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
        // Clients built on the browser WebSocket API never see pings: this message is the
        // keepalive they watch for.
        socket.send(JSON.stringify({ type: 'keepalive' }));
      })();
    }, pingMs);
    ping.unref();
    socket.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
    socket.on('error', () => socket.terminate());
    // Incoming messages are not part of the protocol (acks go through POST commands/ack).
    socket.on('message', () => undefined);
    // What is pending goes first, then the hello: after it, everything is a new command.
    void (async () => {
      try {
        for (const c of await commands.pendingCommands(ctx.db, node.id, ctx.clock.now())) send(c);
      } catch (err) {
        req.log.warn({ err }, 'agent stream: pending commands not sent');
      }
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'hello', node_uuid: node.uuid, ping_ms: pingMs }));
    })();
  });
}
