import { Type, type Static } from 'typebox';
import { IsoTime, Limit, NullableNumber, NullableString, Offset, Uuid } from './common.ts';
import { INCIDENT_STATUSES } from './statuses.ts';
import { SEVERITIES } from './traffic.ts';

export const IncidentListQuery = Type.Object(
  {
    limit: Type.Optional(Limit(100, 50)),
    offset: Type.Optional(Offset),
    status: Type.Optional(Type.Enum(INCIDENT_STATUSES)),
    severity: Type.Optional(Type.Enum(SEVERITIES)),
    node: Type.Optional(Type.String({ format: 'uuid', description: 'Filter by node UUID' })),
  },
  { additionalProperties: false },
);
export type IncidentListQuery = Static<typeof IncidentListQuery>;

const Json = Type.Unknown();

export const Incident = Type.Object({
  id: Type.Integer(),
  uuid: Uuid,
  node_uuid: Uuid,
  node_name: Type.String(),
  status: Type.String({ description: INCIDENT_STATUSES.join(' | ') }),
  attack_family: Type.String(),
  attack_subtype: NullableString(),
  severity: Type.String(),
  peak_pps: Type.Number(),
  peak_bps: Type.Number(),
  source_ip_count: NullableNumber,
  spoofing_detected: Type.Boolean(),
  botnet_detected: Type.Boolean(),
  started_at: IsoTime,
  updated_at: IsoTime,
  resolved_at: Type.Union([IsoTime, Type.Null()]),
  duration_seconds: NullableNumber,
});
export type Incident = Static<typeof Incident>;

export const IncidentDetail = Type.Intersect([
  Incident,
  Type.Object({
    confidence: NullableNumber,
    protocol_breakdown: Json,
    tcp_flag_breakdown: Json,
    geo_breakdown: Json,
    top_src_ips: Json,
    top_dst_ports: Json,
    ioc_matches: Json,
    summary: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'Further fields the agent reported (histograms, velocity, …)' }),
    pcaps: Type.Array(Type.Object({ uuid: Uuid, filename: Type.String(), size_bytes: Type.Integer(), sha256: Type.String(), created_at: IsoTime })),
  }),
]);
export type IncidentDetail = Static<typeof IncidentDetail>;
