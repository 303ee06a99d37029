// The fleet view of agents (fleet-agents-api.md): list, detail, the agent's host report,
// live streams (logs, metrics) opened with single-use tickets, and file transfer. An agent
// id is its node's UUID. Streams and files travel agent⇄server over the agent's existing
// WebSocket (GET /api/v1/agent/stream) as the FLEET_* messages declared here.
import { Type, type Static } from 'typebox';
import { LOG_SOURCES, UNIT_NAME_PATTERN, type LogSource } from './fleet-values.ts';

export { FILE_CHUNK_BYTES, FILE_WINDOW_CHUNKS, FLEET_AGENT_MESSAGE_TYPES, FLEET_SERVER_MESSAGE_TYPES, LOG_SOURCES, UNIT_NAME_PATTERN, type LogSource } from './fleet-values.ts';

/** What the reference's list shows of an agent. `last_seen` is epoch seconds (null: never seen). */
export const AgentSummary = Type.Object({
  id: Type.String({ description: 'The node UUID' }),
  label: Type.String(),
  hostname: Type.Union([Type.String(), Type.Null()]),
  ip: Type.String(),
  os: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: 'online | offline | attack | elevated' }),
  last_seen: Type.Union([Type.Integer(), Type.Null()], { description: 'Epoch seconds' }),
  tags: Type.Array(Type.String()),
});
export type AgentSummary = Static<typeof AgentSummary>;

/** The host as the agent last reported it (POST /api/agents/{id}/report). */
export const HostMetrics = Type.Object({
  cpu_percent: Type.Union([Type.Number(), Type.Null()]),
  mem_percent: Type.Union([Type.Number(), Type.Null()]),
  disk_percent: Type.Union([Type.Number(), Type.Null()]),
  uptime_s: Type.Union([Type.Integer(), Type.Null()]),
  load1: Type.Union([Type.Number(), Type.Null()]),
  reported_at: Type.Union([Type.Integer(), Type.Null()], { description: 'Epoch seconds' }),
});
export type HostMetrics = Static<typeof HostMetrics>;

/** A list item: the reference's fields, and the host as last reported (an extra the dashboard shows). */
export const AgentListItem = Type.Intersect([AgentSummary, Type.Object({
  host: HostMetrics,
  outdated: Type.Boolean({ description: 'The agent runs an older version than this server (false when it has not said its version)' }),
})]);
export const AgentListQuery = Type.Object({
  outdated: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'true: only agents older than this server; false: only the others' })),
}, { additionalProperties: false });
export type AgentListQuery = Static<typeof AgentListQuery>;
export type AgentListItem = Static<typeof AgentListItem>;

export const AgentDetail = Type.Intersect([AgentSummary, Type.Object({
  created_at: Type.Integer({ description: 'Epoch seconds' }),
  interface: Type.String(),
  metrics: Type.Object({
    host: HostMetrics,
    traffic: Type.Object({
      pps: Type.Union([Type.Number(), Type.Null()]),
      bps: Type.Union([Type.Number(), Type.Null()]),
      tcp_pct: Type.Union([Type.Number(), Type.Null()]),
      udp_pct: Type.Union([Type.Number(), Type.Null()]),
      icmp_pct: Type.Union([Type.Number(), Type.Null()]),
      conn_count: Type.Union([Type.Number(), Type.Null()]),
      at: Type.Union([Type.Integer(), Type.Null()], { description: 'Epoch seconds' }),
    }),
  }),
  streams: Type.Object({ connected: Type.Boolean({ description: 'The agent holds a WebSocket to this server: streams and files work' }) }),
})]);
export type AgentDetail = Static<typeof AgentDetail>;

const Pct = Type.Number({ minimum: 0, maximum: 100 });
/** The agent's report every 30 s; unknown extra keys are accepted (tolerant reader) and ignored. */
export const AgentReportBody = Type.Object({
  hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  os: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  cpu_percent: Type.Optional(Pct),
  mem_percent: Type.Optional(Pct),
  disk_percent: Type.Optional(Pct),
  uptime_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 * 365 * 86_400 })),
  load1: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6 })),
});
export type AgentReportBody = Static<typeof AgentReportBody>;
export const AgentReportReply = Type.Object({ ok: Type.Literal(true), received_at: Type.Integer({ description: 'Epoch seconds' }) });

/** DELETE /api/agents/{id} answers as the reference shows. */
export const AgentDeleted = Type.Object({ status: Type.Literal('deleted') });

export const STREAM_KINDS = ['logs', 'metrics'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];
/** Who may open each stream: logs show the host's contents, metrics only numbers. */
export const STREAM_ROLES: Record<StreamKind, 'viewer' | 'operator'> = { logs: 'operator', metrics: 'viewer' };
/** A stream ticket lives this long at most, and opens one stream once. */
export const STREAM_TICKET_TTL_SECONDS = 30;

export const StreamTicketBody = Type.Object({ kind: Type.Enum([...STREAM_KINDS]) }, { additionalProperties: false });
export const StreamTicket = Type.Object({
  ticket: Type.String({ description: 'Pass as token= when opening the stream; single use' }),
  kind: Type.String(),
  expires_at: Type.Integer({ description: 'Epoch seconds' }),
  url: Type.String({ description: 'The stream path, ticket included (add the log source for logs)' }),
});
export type StreamTicket = Static<typeof StreamTicket>;

export const LogStreamQuery = Type.Object({
  source: Type.Enum([...LOG_SOURCES]),
  unit: Type.Optional(Type.String({ pattern: UNIT_NAME_PATTERN, maxLength: 256 })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  token: Type.String({ minLength: 16, maxLength: 128 }),
}, { additionalProperties: false });
export const MetricsStreamQuery = Type.Object({ token: Type.String({ minLength: 16, maxLength: 128 }) }, { additionalProperties: false });

export const FilePathQuery = Type.Object({ path: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false });
export const FileUploaded = Type.Object({
  path: Type.String({ description: 'Where the agent wrote it (resolved)' }),
  size: Type.Integer(),
  sha256: Type.String({ description: 'Of the bytes the agent wrote, checked against what the server received' }),
});
export type FileUploaded = Static<typeof FileUploaded>;

/** One SSE `log` event. */
export interface LogLine { ts: number; line: string; unit?: string; priority?: number }
/** One SSE `metrics` event: the host, and the traffic of the last second when the agent has it. */
export interface MetricsSnapshot {
  ts: number;
  host: { cpu_percent: number | null; mem_percent: number | null; disk_percent: number | null; uptime_s: number | null; load1: number | null };
  traffic: { pps: number; bps: number } | null;
}

/** Why an agent refused a stream or a transfer; the server maps each to an HTTP status. */
export const FLEET_REFUSALS = {
  bad_path: 400, outside_roots: 403, forbidden_path: 403, not_found: 404, not_a_file: 400, too_large: 413,
  files_disabled: 409, checksum_mismatch: 422, io_error: 500, unavailable: 503,
} as const;
export type FleetRefusal = keyof typeof FLEET_REFUSALS;


// --- messages on the agent's WebSocket (besides the commands' own)
/** Server → agent. */
export type FleetServerMessage =
  | { type: 'stream.open'; stream_id: string; kind: 'logs'; source: LogSource; unit?: string; path?: string }
  | { type: 'stream.open'; stream_id: string; kind: 'metrics'; interval_ms: number }
  | { type: 'stream.close'; stream_id: string }
  | { type: 'file.get'; transfer_id: string; path: string }
  | { type: 'file.put'; transfer_id: string; dest: string; size: number; sha256: string }
  /** Upload data (server → agent) and download data (agent → server) share this shape. */
  | { type: 'file.chunk'; transfer_id: string; seq: number; data: string }
  | { type: 'file.ack'; transfer_id: string; seq: number }
  | { type: 'file.abort'; transfer_id: string };
/** Agent → server. */
export type FleetAgentMessage =
  | { type: 'stream.started'; stream_id: string }
  | { type: 'stream.lines'; stream_id: string; lines: LogLine[]; dropped?: number }
  | { type: 'stream.metrics'; stream_id: string; snapshot: MetricsSnapshot }
  | { type: 'stream.end'; stream_id: string; code?: FleetRefusal; message?: string }
  | { type: 'file.meta'; transfer_id: string; path: string; size: number; sha256: string }
  | { type: 'file.chunk'; transfer_id: string; seq: number; data: string }
  | { type: 'file.ack'; transfer_id: string; seq: number }
  | { type: 'file.ready'; transfer_id: string; path: string }
  | { type: 'file.done'; transfer_id: string; path: string; size: number; sha256: string }
  | { type: 'file.error'; transfer_id: string; code: FleetRefusal; message: string };
export type FleetAgentMessageType = FleetAgentMessage['type'];
