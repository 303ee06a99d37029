import { Type, type Static } from 'typebox';
import { IpAddress, IsoTime, Limit, NullableNumber, NullableString, Offset, SafeText, Uuid } from './common.ts';

export const NODE_STATUSES = ['online', 'offline', 'attack', 'elevated'] as const;
/** What a node is (see Node.kind). */
export const NODE_KINDS = ['agent', 'collector', 'flow'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export const NODE_PRIORITIES = ['production', 'staging', 'development'] as const;

const Name = SafeText({ minLength: 1, maxLength: 100, description: 'Display name (max 100 chars)' });
const Label = SafeText({ maxLength: 100 });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:/-]+$' }), { maxItems: 50, uniqueItems: true, description: 'Labels for routing alerts (e.g. "game", "eu-west")' });
const Iface = Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.:@-]+$', description: 'Network interface (default: eth0)' });

/**
 * One node's overrides of the settings the workspace sends its agent (GET /api/v1/agent/config);
 * a key left out takes the workspace's value (its defaults: 60, 30, true).
 */
export const NodeAgentSettings = Type.Object(
  {
    attack_cooldown: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds after an attack ends before the agent reports a new one on this node' })),
    attack_holddown: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds traffic must stay under the threshold before the agent ends an attack on this node' })),
    pcap_enabled: Type.Optional(Type.Boolean({ description: 'Capture each attack on this node to a PCAP and upload it' })),
  },
  { additionalProperties: false },
);
export type NodeAgentSettings = Static<typeof NodeAgentSettings>;

export const NodeCreateBody = Type.Object(
  {
    name: Name,
    ip: IpAddress,
    location: Type.Optional(Label),
    os: Type.Optional(Label),
    interface: Type.Optional(Iface),
    priority: Type.Optional(Type.Enum(NODE_PRIORITIES)),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type NodeCreateBody = Static<typeof NodeCreateBody>;

export const NodeUpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    ip: Type.Optional(IpAddress),
    location: Type.Optional(Type.Union([Label, Type.Null()])),
    os: Type.Optional(Type.Union([Label, Type.Null()])),
    interface: Type.Optional(Iface),
    priority: Type.Optional(Type.Enum(NODE_PRIORITIES)),
    pps_threshold: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1e12 }), Type.Null()])),
    bps_threshold: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1e15 }), Type.Null()])),
    tags: Type.Optional(Tags),
    agent_settings: Type.Optional(Type.Union([NodeAgentSettings, Type.Null()], { description: 'Overrides of the workspace\'s agent settings for this node (replaced whole); null: none' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type NodeUpdateBody = Static<typeof NodeUpdateBody>;

/** What the node list may be ordered by (beyond the reference: the dashboard's nodes page). */
export const NODE_SORTS = ['name', 'status', 'last_seen', 'traffic'] as const;
export type NodeSort = (typeof NODE_SORTS)[number];

export const NodeListQuery = Type.Object(
  {
    limit: Type.Optional(Limit(100, 50)),
    offset: Type.Optional(Offset),
    status: Type.Optional(Type.Enum(NODE_STATUSES)),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Search: part of the name or IP address (case-insensitive)' })),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:/-]+$', description: 'Only nodes carrying this tag' })),
    sort: Type.Optional(Type.Enum(NODE_SORTS, { description: 'Order: name, status (under attack first), last_seen (most recent first), traffic (highest pps first); default: creation order' })),
    order: Type.Optional(Type.Enum(['asc', 'desc'], { description: 'Reverse the sort\'s natural order with the other one' })),
  },
  { additionalProperties: false },
);
export type NodeListQuery = Static<typeof NodeListQuery>;

export const Node = Type.Object({
  id: Type.Integer(),
  uuid: Uuid,
  name: Type.String(),
  ip: Type.String(),
  location: NullableString(),
  os: NullableString(),
  interface: Type.String(),
  priority: Type.String(),
  tags: Type.Array(Type.String()),
  status: Type.Enum(NODE_STATUSES),
  agent_version: NullableString(),
  last_seen_at: Type.Union([IsoTime, Type.Null()]),
  pps_threshold: Type.Union([Type.Integer(), Type.Null()]),
  bps_threshold: Type.Union([Type.Integer(), Type.Null()]),
  current: Type.Object({
    pps: NullableNumber,
    bps: NullableNumber,
    tcp_pct: NullableNumber,
    udp_pct: NullableNumber,
    icmp_pct: NullableNumber,
    conn_count: NullableNumber,
    recorded_at: Type.Union([IsoTime, Type.Null()]),
  }),
  created_at: IsoTime,
  updated_at: IsoTime,
  kind: Type.Optional(Type.Enum(NODE_KINDS, { description: 'agent: a server running the agent; collector: a flow collector; flow: a host a collector protects (its traffic seen as flows)' })),
  parent_uuid: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'A flow node\'s collector' })),
});
export type Node = Static<typeof Node>;

export const NodeDetail = Type.Intersect([
  Node,
  Type.Object({
    baseline: Type.Object({ p99_pps: NullableNumber, mean_pps: NullableNumber, source: Type.String() }),
    protocol_breakdown: Type.Object({ tcp: NullableNumber, udp: NullableNumber, icmp: NullableNumber }),
    active_incidents: Type.Array(Type.Object({ uuid: Uuid, attack_family: Type.String(), severity: Type.String(), started_at: IsoTime })),
    uptime_seconds: Type.Union([Type.Integer(), Type.Null()]),
    agent: Type.Record(Type.String(), Type.Unknown()),
    agent_settings: Type.Optional(NodeAgentSettings),
  }),
]);
export type NodeDetail = Static<typeof NodeDetail>;

export const MetricsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ description: 'ISO 8601 time or epoch ms; default: to - 1 hour' })),
    to: Type.Optional(Type.String({ description: 'ISO 8601 time or epoch ms; default: now' })),
    step: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, description: 'Bucket width in seconds; default chosen for ≤ 720 points' })),
  },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

export const MetricsPoint = Type.Object({
  ts: IsoTime,
  samples: Type.Integer(),
  pps: Type.Number(),
  pps_max: Type.Number(),
  bps: Type.Number(),
  bps_max: Type.Number(),
  tcp_pct: NullableNumber,
  udp_pct: NullableNumber,
  icmp_pct: NullableNumber,
  conn_count: NullableNumber,
});
export const MetricsSeries = Type.Object({
  node: Uuid,
  from: IsoTime,
  to: IsoTime,
  step: Type.Integer(),
  resolution: Type.Enum(['raw', '1m', '1h']),
  points: Type.Array(MetricsPoint),
});
