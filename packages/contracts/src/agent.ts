// Agent ⇄ server wire shapes. Tolerant readers (paths.md): known fields are typed and
// checked; anything else an agent sends is accepted and kept.
import { Type, type Static } from 'typebox';
import { SafeText } from './common.ts';
import { SEVERITIES } from './traffic.ts';

const Count = Type.Number({ minimum: 0, maximum: 1e15 });
const Pct = Type.Number({ minimum: 0, maximum: 100 });
const Family = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$', description: 'udp_flood, syn_flood, http_flood, icmp_flood, dns_flood, multi_vector, unknown (others are stored as sent)' });
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Number({ minimum: 0 })], { description: 'ISO 8601 or epoch seconds/ms' });
const open = { additionalProperties: true } as const;

export const HeartbeatBody = Type.Object(
  {
    agent_version: Type.Optional(SafeText({ maxLength: 64 })),
    version: Type.Optional(SafeText({ maxLength: 64 })),
    uptime: Type.Optional(Type.Integer({ minimum: 0 })),
    os: Type.Optional(SafeText({ maxLength: 100 })),
    baseline_avg_pps: Type.Optional(Count),
    baseline_p99_pps: Type.Optional(Count),
  },
  open,
);
export type HeartbeatBody = Static<typeof HeartbeatBody>;

export const MetricSample = Type.Object(
  {
    pps: Count,
    bps: Count,
    tcp_pct: Type.Optional(Pct),
    udp_pct: Type.Optional(Pct),
    icmp_pct: Type.Optional(Pct),
    conn_count: Type.Optional(Count),
    recorded_at: Type.Optional(Time),
  },
  open,
);
export type MetricSample = Static<typeof MetricSample>;

const MAX_BATCH = 3600;
/** One sample, a JSON array of samples, or `{ batch: [...] }`. */
export const MetricsBody = Type.Union([
  MetricSample,
  Type.Array(MetricSample, { minItems: 1, maxItems: MAX_BATCH }),
  Type.Object({ batch: Type.Array(MetricSample, { minItems: 1, maxItems: MAX_BATCH }) }, { additionalProperties: true, required: ['batch'] }),
]);
export type MetricsBody = Static<typeof MetricsBody>;

const TopIps = Type.Array(Type.Object({ ip: Type.String({ maxLength: 45 }), count: Count }, open), { maxItems: 1000 });
const TopPorts = Type.Array(Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535 }), count: Count }, open), { maxItems: 1000 });
const Breakdown = Type.Record(Type.String({ maxLength: 64 }), Type.Number(), { maxProperties: 300 });

const incidentFields = {
  attack_subtype: Type.Optional(Type.Union([SafeText({ maxLength: 64 }), Type.Null()])),
  peak_pps: Type.Optional(Count),
  peak_bps: Type.Optional(Count),
  protocol_breakdown: Type.Optional(Breakdown),
  tcp_flag_breakdown: Type.Optional(Breakdown),
  geo_breakdown: Type.Optional(Breakdown),
  source_ip_count: Type.Optional(Count),
  top_src_ips: Type.Optional(TopIps),
  top_dst_ports: Type.Optional(TopPorts),
  ioc_matches: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 1000 })),
  ioc_hits: Type.Optional(Type.Unknown()),
  spoofing_detected: Type.Optional(Type.Boolean()),
  botnet_detected: Type.Optional(Type.Boolean()),
  confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  started_at: Type.Optional(Time),
};

/** `POST agent/incident` (reference): opens, or updates the active incident of that family. */
export const IncidentReportBody = Type.Object(
  { ...incidentFields, attack_family: Family, severity: Type.Enum(SEVERITIES) },
  open,
);
export type IncidentReportBody = Static<typeof IncidentReportBody>;

/** `POST agent/incidents` (agents in the field): severity may come only at resolve. */
export const IncidentOpenBody = Type.Object(
  { ...incidentFields, attack_family: Family, severity: Type.Optional(Type.Enum(SEVERITIES)) },
  open,
);
export type IncidentOpenBody = Static<typeof IncidentOpenBody>;

export const IncidentUpdateBody = Type.Object(
  { ...incidentFields, attack_family: Type.Optional(Family), severity: Type.Optional(Type.Enum(SEVERITIES)) },
  open,
);
export type IncidentUpdateBody = Static<typeof IncidentUpdateBody>;

export const IncidentResolveBody = Type.Object(
  {
    ...incidentFields,
    attack_family: Type.Optional(Family),
    severity: Type.Optional(Type.Enum(SEVERITIES)),
    duration_seconds: Type.Optional(Count),
    resolved_at: Type.Optional(Time),
  },
  open,
);
export type IncidentResolveBody = Static<typeof IncidentResolveBody>;

export const IncidentAck = Type.Object(
  {
    ok: Type.Literal(true),
    uuid: Type.String(),
    incident_id: Type.Integer(),
    status: Type.String(),
    created: Type.Boolean(),
    data: Type.Object({ id: Type.Integer(), uuid: Type.String(), status: Type.String(), attack_family: Type.String(), severity: Type.String() }),
  },
);

export const CommandAckBody = Type.Object(
  {
    command_id: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^(cmd_)?[0-9]{1,15}$' })]),
    status: Type.String({ minLength: 1, maxLength: 32, description: 'applied, failed, … (stored as sent)' }),
    error: Type.Optional(Type.Union([Type.String({ maxLength: 4000 }), Type.Null()])),
  },
  open,
);
export type CommandAckBody = Static<typeof CommandAckBody>;

export const PendingCommand = Type.Object({
  id: Type.Integer(),
  command: Type.String(),
  command_type: Type.String(),
  command_text: Type.String(),
  title: Type.String(),
  payload: Type.Unknown(),
  created_at: Type.String(),
});

export const AgentConfig = Type.Object(
  {
    node_id: Type.Integer(),
    node_uuid: Type.String(),
    pps_threshold: Type.Union([Type.Integer(), Type.Null()]),
    bps_threshold: Type.Union([Type.Integer(), Type.Null()]),
    baseline: Type.Object({ p99_pps: Type.Union([Type.Number(), Type.Null()]), mean_pps: Type.Union([Type.Number(), Type.Null()]) }),
    ioc_patterns: Type.Array(Type.Unknown()),
    pending_commands: Type.Array(PendingCommand),
    attack_cooldown: Type.Integer(),
    attack_holddown: Type.Integer(),
    pcap_enabled: Type.Boolean(),
    pcap_max_bytes: Type.Integer(),
    ip_blocklist: Type.Array(Type.String()),
    service_ports: Type.Array(Type.Integer()),
    suspended: Type.Boolean(),
  },
  open,
);
