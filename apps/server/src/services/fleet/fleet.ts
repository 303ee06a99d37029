// The fleet's live side in one component: the agents' sockets, stream tickets, SSE streams
// and file transfers, and the relay that reaches an agent whose socket another replica holds.
// Built without I/O; stop() ends every open stream, then the relay.
import type { Db } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import type { ClusterBus } from '../../cluster/bus.ts';
import { AgentRelay, type AgentRelayOptions } from '../../cluster/agent-relay.ts';
import { AgentLinks } from './agent-links.ts';
import type { LinkRegistry } from '../../cluster/link-registry.ts';
import { FileTransfers } from './file-transfer.ts';
import { LiveStreams, type LiveStreamsOptions } from './live-streams.ts';
import { StreamTickets } from './stream-tickets.ts';

export interface FleetOptions {
  streams?: Partial<LiveStreamsOptions>;
  /** Largest upload the server takes (the agent has its own cap, file_max_bytes). */
  uploadMaxBytes?: number;
  /** How long an agent may stay silent in the middle of a transfer. */
  transferIdleMs?: number;
  ticketTtlMs?: number;
  relay?: Partial<AgentRelayOptions>;
}

export const DEFAULT_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;

export class Fleet {
  readonly links: AgentLinks;
  readonly #registry: LinkRegistry | undefined;
  readonly relay: AgentRelay;
  readonly tickets: StreamTickets;
  readonly streams: LiveStreams;
  readonly files: FileTransfers;
  readonly uploadMaxBytes: number;

  constructor(deps: { db: Db; clock: Clock; bus: ClusterBus; registry?: LinkRegistry; onError: (err: unknown) => void }, o: FleetOptions = {}) {
    const { db, clock } = deps;
    this.#registry = deps.registry;
    this.links = new AgentLinks(deps.registry);
    this.relay = new AgentRelay({ ...deps, links: this.links }, o.relay);
    this.tickets = new StreamTickets({ db, clock, ttlMs: o.ticketTtlMs });
    this.streams = new LiveStreams({ db, clock, reach: this.relay }, o.streams);
    this.files = new FileTransfers({ db, clock, reach: this.relay, idleTimeoutMs: o.transferIdleMs });
    this.uploadMaxBytes = o.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  }

  async start(): Promise<void> {
    this.relay.start();
  }

  /** The agent's WebSocket is on this replica or on another live one. */
  async connected(nodeId: number): Promise<boolean> {
    return this.links.connected(nodeId) || ((await this.#registry?.elsewhere(nodeId)) ?? false);
  }

  async stop(): Promise<void> {
    this.streams.stopAll();
    await this.relay.stop();
  }
}
