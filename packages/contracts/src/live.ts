// Messages of the dashboard's live stream (GET /api/dash/live, server-sent events) and of the
// in-process live bus they come from. Plain types: the server builds them, the dashboard reads them.

export type NodeStatus = 'online' | 'offline' | 'attack' | 'elevated';

/** What changed, after it was stored. */
export type LiveEvent =
  | { type: 'incident.opened' | 'incident.escalated' | 'incident.resolved' | 'incident.updated'; incident_id: string; node_id: string }
  | { type: 'mitigation.announced' | 'mitigation.withdrawn' | 'mitigation.expired' | 'mitigation.failed'; rule_id: string }
  | { type: 'node.changed'; node_id: string }
  /** A command for a node was queued, or its agent acknowledged it (status as stored): on any replica. */
  | { type: 'command.queued' | 'command.acked'; command_id: string; node_id: string; status: string }
  /** A scrubbing integration or one of its diversions changed (state, settings, test). */
  | { type: 'scrubbing.changed'; integration_id: string; diversion_id: string | null };

/** One per-second sample: [ts ms, pps, bps, tcp %, udp %, icmp %]. */
export type LiveSample = [number, number, number, number | null, number | null, number | null];

export interface LiveNode {
  uuid: string;
  name: string;
  ip: string;
  status: NodeStatus;
  pps: number | null;
  bps: number | null;
  tcp_pct: number | null;
  udp_pct: number | null;
  icmp_pct: number | null;
  recorded_at: number | null;
  /** Samples stored since the previous frame, oldest first. */
  samples: LiveSample[];
}

export interface LiveFrame {
  ts: number;
  /** Sum of every reporting node's latest sample; the mix is weighted by packets. */
  workspace: { pps: number; bps: number; tcp_pct: number | null; udp_pct: number | null; icmp_pct: number | null };
  counts: { total: number; online: number; offline: number; attack: number; elevated: number };
  active_incidents: number;
  nodes: LiveNode[];
}
