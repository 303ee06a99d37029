import type { Generated } from 'kysely';

export interface ClusterLeaseTable {
  name: string;
  holder: string;
  token: number;
  acquired_at: number;
  expires_at: number;
}

export interface ClusterEventTable {
  id: Generated<number>;
  topic: string;
  origin: string;
  payload: string;
  created_at: number;
}

export interface ClusterFrameTable {
  id: Generated<number>;
  /** The replica the frame is for. */
  recipient: string;
  conversation: string;
  /** The message as JSON. */
  body: string;
  created_at: number;
}

export interface ClusterReplicaTable {
  replica_id: string;
  /** Refreshed while the replica runs; its agent links count only while this is fresh. */
  seen_at: number;
}

export interface AgentLinkTable {
  node_id: number;
  /** The replica holding the agent's WebSocket. */
  replica_id: string;
  since: number;
}
