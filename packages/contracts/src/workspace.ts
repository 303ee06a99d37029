import { Type } from 'typebox';
import { IsoTime, NullableNumber } from './common.ts';

export const Workspace = Type.Object({
  id: Type.String(),
  name: Type.String(),
  plan: Type.String(),
  subscription_status: Type.String(),
  node_count: Type.Integer(),
  node_quota: Type.Integer(),
  rate_limit_per_minute: Type.Integer(),
  created_at: IsoTime,
});

export const ANALYTICS_RANGES = ['7d', '30d', '90d', '365d'] as const;
export const AnalyticsQuery = Type.Object({ range: Type.Optional(Type.Enum(ANALYTICS_RANGES, { default: '30d' })) }, { additionalProperties: false });

export const AnalyticsSummary = Type.Object({
  range: Type.String(),
  from: IsoTime,
  to: IsoTime,
  total_incidents: Type.Integer(),
  active_incidents: Type.Integer(),
  by_family: Type.Record(Type.String(), Type.Integer()),
  by_severity: Type.Record(Type.String(), Type.Integer()),
  by_day: Type.Array(Type.Object({ date: Type.String(), incidents: Type.Integer() })),
  top_nodes: Type.Array(Type.Object({ node_uuid: Type.String(), node_name: Type.String(), incidents: Type.Integer() })),
  peak_pps: Type.Number(),
  peak_bps: Type.Number(),
  total_attack_seconds: Type.Number(),
  mean_duration_seconds: NullableNumber,
});

export const StatusOverview = Type.Object({
  status: Type.Enum(['operational', 'degraded', 'under_attack']),
  nodes: Type.Object({ total: Type.Integer(), online: Type.Integer(), offline: Type.Integer(), attack: Type.Integer(), elevated: Type.Integer() }),
  active_incidents: Type.Integer(),
  node_list: Type.Array(Type.Object({ uuid: Type.String(), name: Type.String(), status: Type.String(), last_seen_at: Type.Union([IsoTime, Type.Null()]) })),
  generated_at: IsoTime,
});

export const Health = Type.Object({
  status: Type.Enum(['ok', 'degraded']),
  version: Type.String(),
  database: Type.Object({ engine: Type.String(), ok: Type.Boolean(), latency_ms: Type.Number() }),
  uptime_seconds: Type.Number(),
  time: IsoTime,
});
