// The agents connected to this server over their WebSocket (GET /api/v1/agent/stream), as
// the fleet's streams and file transfers see them: a way to send an agent a message and to
// hear the messages it sends back for one stream or transfer. Messages are routed by their
// stream_id / transfer_id, and only from the node that the stream or transfer was opened
// on: an agent cannot speak into another node's stream. When the socket goes, everything
// open on it hears so at once.
import { FLEET_AGENT_MESSAGE_TYPES, type FleetAgentMessage, type FleetServerMessage } from '@breakwater/contracts';
import type { NodeRow } from '@breakwater/db';
import { AppError } from '../../errors.ts';

/** What this module uses of the `ws` socket that @fastify/websocket hands over. */
export interface LinkSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export interface Conversation {
  /** False when the agent is gone or its socket is too far behind to take more. */
  send(msg: FleetServerMessage): boolean;
  close(): void;
}

/** What hears one conversation: the agent's messages for it, and its end when the agent goes. */
export interface ConversationHandler {
  onMessage(msg: FleetAgentMessage): void;
  onGone(why: string): void;
}

/**
 * Where streams and transfers open their conversations: this server's sockets, or (several
 * replicas, cluster/agent-relay.ts) the replica's that holds the agent's. 409 agent_offline when none does.
 */
export interface AgentReach {
  open(nodeId: number, id: string, handler: ConversationHandler): Promise<Conversation>;
}

interface Handler extends ConversationHandler {
  nodeId: number;
  socket: LinkSocket;
}

/** Past this many bytes queued on a socket, a sender is told to wait (uploads) or gives up. */
const MAX_SOCKET_BACKLOG = 4 * 1024 * 1024;
const TYPES = new Set<string>(FLEET_AGENT_MESSAGE_TYPES);

export function agentOffline(): AppError {
  return new AppError(409, 'agent_offline', 'The agent is not connected to any server replica over its WebSocket (GET /api/v1/agent/stream): streams and files need it; try again when it is online');
}

/** Told when an agent's socket comes to this server and when it goes (cluster/link-registry.ts). */
export interface LinkNotes {
  attached(nodeId: number): void;
  detached(nodeId: number): void;
}

export class AgentLinks {
  readonly #sockets = new Map<number, LinkSocket>();
  readonly #handlers = new Map<string, Handler>();
  readonly #notes: LinkNotes | undefined;

  constructor(notes?: LinkNotes) {
    this.#notes = notes;
  }

  /** Called for each agent WebSocket once it is authenticated. */
  attach(node: NodeRow, socket: LinkSocket): void {
    this.#sockets.set(node.id, socket);
    this.#notes?.attached(node.id);
    socket.on('message', (data: unknown) => {
      let msg: FleetAgentMessage;
      try {
        msg = JSON.parse(String(data)) as FleetAgentMessage;
      } catch {
        return;
      }
      if (!msg || typeof msg !== 'object' || !TYPES.has(msg.type)) return; // another family's message (commands)
      const id = 'stream_id' in msg ? msg.stream_id : 'transfer_id' in msg ? msg.transfer_id : undefined;
      const h = typeof id === 'string' ? this.#handlers.get(id) : undefined;
      if (!h || h.nodeId !== node.id || h.socket !== socket) return;
      try {
        h.onMessage(msg);
      } catch {
        /* a handler's failure ends its own conversation, never the socket */
      }
    });
    socket.on('close', () => {
      if (this.#sockets.get(node.id) === socket) {
        this.#sockets.delete(node.id);
        this.#notes?.detached(node.id);
      }
      for (const [id, h] of this.#handlers) {
        if (h.socket === socket) {
          this.#handlers.delete(id);
          h.onGone('the agent disconnected');
        }
      }
    });
  }

  connected(nodeId: number): boolean {
    const s = this.#sockets.get(nodeId);
    return s !== undefined && s.readyState === s.OPEN;
  }

  /** Drops the node's socket (the node was deleted): its open conversations end with it. */
  disconnect(nodeId: number): void {
    this.#sockets.get(nodeId)?.terminate();
  }

  /** Open conversations (streams and transfers) on this server. */
  get open(): number {
    return this.#handlers.size;
  }

  /** Starts a conversation with the node's agent under `id`; 409 agent_offline when it has no socket here. */
  converse(nodeId: number, id: string, handler: ConversationHandler): Conversation {
    const socket = this.#sockets.get(nodeId);
    if (!socket || socket.readyState !== socket.OPEN) throw agentOffline();
    this.#handlers.set(id, { ...handler, nodeId, socket });
    return {
      send: (msg) => {
        if (socket.readyState !== socket.OPEN || socket.bufferedAmount > MAX_SOCKET_BACKLOG) return false;
        socket.send(JSON.stringify(msg));
        return true;
      },
      close: () => {
        this.#handlers.delete(id);
      },
    };
  }
}
