// Agent ⇄ server wire shapes. Tolerant readers (paths.md): known fields are typed and
// checked; anything else an agent sends is accepted and kept.
import { Type, type Static } from 'typebox';
import { SafeText } from './common.ts';
import { ATTACK_FAMILIES, SEVERITIES } from './traffic.ts';
import { HttpIncidentDetails } from './http-flood.ts';

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

/** A threshold that fired: the configured value and the largest window value seen while it lasted. */
export const AgentThreshold = Type.Object({
  name: Type.String(),
  value: Type.Number(),
  observed: Type.Number(),
  source: Type.Enum(['static', 'baseline']),
}, { additionalProperties: false });
export type AgentThreshold = Static<typeof AgentThreshold>;

const Counts = Type.Record(Type.String(), Type.Number());

/**
 * What Breakwater's own agent sends on open, update and resolve (detection's `toAgentIncident`):
 * every field the bodies above check, always present, plus the extras the server keeps (histograms,
 * thresholds, explanation). Times are ms since the epoch.
 */
export const AgentIncident = Type.Object({
  status: Type.Enum(['active', 'resolved']),
  attack_family: Type.Enum(ATTACK_FAMILIES),
  attack_subtype: Type.String(),
  severity: Type.Enum(SEVERITIES),
  confidence: Type.Number({ minimum: 0, maximum: 100 }),
  peak_pps: Count,
  peak_bps: Count,
  started_at: Type.Number({ minimum: 0 }),
  ended_at: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  duration_seconds: Count,
  protocol_breakdown: Type.Object({ tcp: Pct, udp: Pct, icmp: Pct }, { additionalProperties: false }),
  tcp_flag_breakdown: Counts,
  geo_breakdown: Counts,
  source_ip_count: Count,
  top_src_ips: Type.Array(Type.Object({ ip: Type.String(), count: Count }, { additionalProperties: false })),
  top_dst_ports: Type.Array(Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535 }), count: Count }, { additionalProperties: false })),
  ioc_matches: Type.Array(Type.String()),
  ioc_hits: Counts,
  spoofing_detected: Type.Boolean(),
  botnet_detected: Type.Boolean(),
  botnet_signatures: Type.Array(Type.String()),
  explanation: Type.String(),
  threshold: AgentThreshold,
  thresholds_fired: Type.Array(AgentThreshold),
  baseline_pps: Count,
  total_packets: Count,
  fragment_count: Count,
  fragment_pct: Pct,
  /** TTL value → packets. */
  ttl_distribution: Counts,
  /** Upper bound in bytes ("64", …, "1500", "inf") → packets. */
  pkt_length_histogram: Counts,
  src_ip_entropy: Type.Number({ minimum: 0 }),
  /** Only on an http_flood opened from access logs: sources, URIs, user agents, 4xx/5xx shares. */
  http: Type.Optional(HttpIncidentDetails),
}, { additionalProperties: false });
export type AgentIncident = Static<typeof AgentIncident>;

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
    exit_code: Type.Optional(Type.Union([Type.Integer({ minimum: -1024, maximum: 1024 }), Type.Null()], { description: 'The process\'s exit code (fleet commands that run one)' })),
    output: Type.Optional(Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()], { description: 'stdout and stderr, capped at 64 KiB by the agent' })),
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
  /** The typed payload signed by the workspace's command key; Breakwater agents act only on this. */
  signed: Type.Optional(Type.Object({ body: Type.String(), signature: Type.String() })),
  created_at: Type.String(),
});

/** `service_ports` as field agents read it (paths.md): `{enabled: false}` when off, all keys when on. */
export const ServicePortsConfig = Type.Object({
  enabled: Type.Boolean(),
  ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }))),
  sensitivity: Type.Optional(Type.String({ description: 'low | medium | high' })),
  pps_threshold: Type.Optional(Type.Integer({ minimum: 1 })),
  response_mode: Type.Optional(Type.String({ description: 'alert | block' })),
  block_cooldown: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds' })),
  block_scope: Type.Optional(Type.String({ description: 'source | port' })),
  ip_safelist: Type.Optional(Type.Array(Type.String())),
});
export type ServicePortsConfig = Static<typeof ServicePortsConfig>;

export const AgentConfig = Type.Object(
  {
    node_id: Type.Integer(),
    node_uuid: Type.String(),
    // Absent rather than null when unknown: field agents read these with .get(key, default).
    pps_threshold: Type.Optional(Type.Integer()),
    bps_threshold: Type.Optional(Type.Integer()),
    baseline: Type.Object({ p99_pps: Type.Optional(Type.Number()), mean_pps: Type.Optional(Type.Number()) }),
    ioc_patterns: Type.Array(Type.Unknown()),
    pending_commands: Type.Array(PendingCommand),
    attack_cooldown: Type.Integer(),
    attack_holddown: Type.Integer(),
    pcap_enabled: Type.Boolean(),
    pcap_max_bytes: Type.Integer(),
    ip_blocklist: Type.Array(Type.String()),
    service_ports: ServicePortsConfig,
    flow: Type.Object({ enabled: Type.Boolean() }),
    l7: Type.Object({ enabled: Type.Boolean() }),
    suspended: Type.Boolean(),
    /** The workspace's command-signing public key (Ed25519, SPKI DER, base64): agents enrolled before pinning pin it once from here. */
    command_public_key: Type.String(),
  },
  open,
);
