import { Type, type Static } from 'typebox';
import { IpAddress, IsoTime, Limit, NullableNumber, NullableString, Offset, SafeText, Uuid } from './common.ts';

export const NODE_STATUSES = ['online', 'offline', 'attack', 'elevated'] as const;
export const NODE_PRIORITIES = ['production', 'staging', 'development'] as const;

const Name = SafeText({ minLength: 1, maxLength: 100, description: 'Display name (max 100 chars)' });
const Label = SafeText({ maxLength: 100 });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:/-]+$' }), { maxItems: 50, uniqueItems: true, description: 'Labels for routing alerts (e.g. "game", "eu-west")' });
const Iface = Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.:@-]+$', description: 'Network interface (default: eth0)' });

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
  },
  { additionalProperties: false, minProperties: 1 },
);
export type NodeUpdateBody = Static<typeof NodeUpdateBody>;

export const NodeListQuery = Type.Object(
  { limit: Type.Optional(Limit(100, 50)), offset: Type.Optional(Offset), status: Type.Optional(Type.Enum(NODE_STATUSES)) },
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
