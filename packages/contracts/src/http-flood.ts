// Layer-7 (HTTP) floods: what the agent reads from web servers' access logs and its socket table,
// what it feeds the detection engine's HTTP side, and the HTTP details an `http_flood` incident
// carries to the server (the agent API's `http` extra, kept by the server's tolerant reader).
import { Type, type Static } from 'typebox';

export { HTTP_CUSTOM_FIELDS, HTTP_FLOOD_SUBTYPES, HTTP_LOG_FORMATS, type HttpCustomField, type HttpFloodSubtype, type HttpLogFormat } from './http-flood-values.ts';

/** One request as a parser reads it from one log line. Every string is already capped in length. */
export interface HttpRequestRecord {
  source: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string without '?', or '' when there is none. */
  query: string;
  host: string;
  /** 0 when the line has none (e.g. an aborted request). */
  status: number;
  userAgent: string;
}

export interface HttpKeyCount {
  key: string;
  count: number;
}

/**
 * What the agent saw of HTTP in one tick (normally 250 ms): request counts, the heaviest keys
 * (bounded lists, heaviest first) and, when the socket table is read, open connections to the web
 * ports. The HTTP side of the detection engine sums these over its window.
 */
export interface HttpTick {
  /** End of the tick, ms since the epoch. */
  at: number;
  durationMs: number;
  requests: number;
  get: number;
  post: number;
  /** Requests answered 2xx, 3xx, 4xx, 5xx; others (0, 1xx) in `other`. */
  status: { s2xx: number; s3xx: number; s4xx: number; s5xx: number; other: number };
  /** Requests that carried a query string, and how many of them had one not seen before (bounded memory). */
  queried: number;
  novelQueries: number;
  /** Requests to a login path, and those of them that failed (401/403, or 200 to a POST: the form again). */
  loginAttempts: number;
  loginFailures: number;
  sources: HttpKeyCount[];
  /** Paths (no query string). */
  paths: HttpKeyCount[];
  userAgents: HttpKeyCount[];
  hosts: HttpKeyCount[];
  /** Sources of failed logins. */
  loginSources: HttpKeyCount[];
  /** Open TCP connections to the web ports right now (null: socket table not read). */
  connections: { open: number; sources: HttpKeyCount[] } | null;
}

const Count = Type.Integer({ minimum: 0 });
const Pct = Type.Number({ minimum: 0, maximum: 100 });
const KeyCounts = Type.Array(Type.Object({ key: Type.String({ maxLength: 2048 }), count: Count }, { additionalProperties: false }), { maxItems: 100 });

/** The `http` field of an `http_flood` incident opened from access logs (shares in percent of requests). */
export const HttpIncidentDetails = Type.Object({
  peak_rps: Count,
  requests: Count,
  top_sources: KeyCounts,
  top_uris: KeyCounts,
  top_user_agents: KeyCounts,
  top_hosts: KeyCounts,
  status_share: Type.Object({ '2xx': Pct, '3xx': Pct, '4xx': Pct, '5xx': Pct }, { additionalProperties: false }),
  /** Share of requests answered 4xx or 5xx. */
  error_share: Pct,
  peak_open_connections: Count,
  login_failures: Count,
}, { additionalProperties: false });
export type HttpIncidentDetails = Static<typeof HttpIncidentDetails>;

/** Lines the agent's log tailers skipped, by reason (reported in the heartbeat's `http_log`). */
export interface HttpLogCounters {
  lines: number;
  parsed: number;
  too_long: number;
  garbage: number;
  unparsed: number;
  rotations: number;
  truncations: number;
}
