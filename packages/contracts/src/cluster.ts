// Words the server replicas share with each other and with a load balancer: the topics of the
// cross-replica bus, what each topic carries (ids, never data: a receiver reads the rows), the
// leases that make a timer run on one replica only, and the readiness reply.
import { Type, type Static } from 'typebox';
import type { FleetAgentMessage, FleetServerMessage } from './fleet.ts';
import type { LiveEvent } from './live.ts';

export const CLUSTER_TOPICS = ['live', 'command.queued', 'fleet.open', 'fleet.accept', 'fleet.frame', 'fleet.end', 'fleet.alive'] as const;
export type ClusterTopic = (typeof CLUSTER_TOPICS)[number];

/** What each topic carries. */
export interface ClusterPayloads {
  /** A stored change for live views of one workspace (the LiveBus event, already small). */
  live: { workspace_id: string; event: LiveEvent };
  /** A command stored for a node: the replica holding the node's agent socket pushes it. */
  'command.queued': { node_id: number; command_id: number };
  /**
   * A fleet stream or file transfer asked on one replica for an agent whose WebSocket may be on
   * another: "who holds node N's socket? open conversation C for me". Every replica holding it answers.
   */
  'fleet.open': { conversation: string; node_id: number; reply_to: string };
  /** The holder of the socket took conversation C on for `to` (the replica asked). */
  'fleet.accept': { conversation: string; to: string };
  /**
   * One message of conversation C for replica `to`: asker → holder a server message for the agent,
   * holder → asker what the agent sent. Inline when small; past NOTIFY's 8000 bytes (file chunks)
   * it waits in cluster_frames under frame_id. seq counts each direction from 0.
   */
  'fleet.frame': { conversation: string; to: string; seq: number; message?: FleetServerMessage | FleetAgentMessage; frame_id?: number };
  /** Conversation C is over for `to`: the asker closed it, or (holder) the agent went away (`why`). */
  'fleet.end': { conversation: string; to: string; why?: string };
  /** A replica with relayed conversations is alive: its peers end those they stop hearing this from. */
  'fleet.alive': { conversations: number };
}

/**
 * Timers that must run on one replica at a time; their holders' writes are fenced by the lease's
 * token. The outbox, runbook executions and metric roll-ups need no lease: they claim rows (outbox,
 * runbooks; a write is fenced by the claim it made) or recompute idempotently (roll-ups).
 */
export const LEASE_NAMES = ['mitigation', 'scrubbing'] as const;
export type LeaseName = (typeof LEASE_NAMES)[number];

export const Readiness = Type.Object({
  ready: Type.Boolean(),
  replica_id: Type.String(),
  database: Type.Object({ ok: Type.Boolean(), latency_ms: Type.Number() }),
  bus: Type.Object({ kind: Type.Enum(['local', 'postgres']), ok: Type.Boolean() }),
  leases: Type.Object({ ok: Type.Boolean(), held: Type.Array(Type.String()) }),
});
export type Readiness = Static<typeof Readiness>;
