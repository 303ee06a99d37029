// Rows → API objects. One place decides how stored values look on the wire.
import { CHANNEL_SECRET_KEYS, type Channel, type ChannelType, type Incident, type Node } from '@breakwater/contracts';
import { fromJson, type ChannelRow, type incidents, type nodes } from '@breakwater/db';

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms == null ? null : iso(ms));

export function presentNode(n: nodes.NodeWithStatus): Node {
  return {
    id: n.id,
    uuid: n.uuid,
    name: n.name,
    ip: n.ip,
    location: n.location,
    os: n.os,
    interface: n.interface,
    priority: n.priority,
    tags: fromJson<string[]>(n.tags, []),
    status: n.status,
    agent_version: n.agent_version,
    last_seen_at: isoOrNull(n.last_seen_at),
    pps_threshold: n.pps_threshold,
    bps_threshold: n.bps_threshold,
    current: {
      pps: n.last_pps,
      bps: n.last_bps,
      tcp_pct: n.last_tcp_pct,
      udp_pct: n.last_udp_pct,
      icmp_pct: n.last_icmp_pct,
      conn_count: n.last_conn_count,
      recorded_at: isoOrNull(n.last_metrics_at),
    },
    created_at: iso(n.created_at),
    updated_at: iso(n.updated_at),
    kind: n.kind ?? 'agent',
  };
}

export function presentIncident(i: incidents.IncidentWithNode): Incident {
  return {
    id: i.id,
    uuid: i.uuid,
    node_uuid: i.node_uuid,
    node_name: i.node_name,
    status: i.status,
    attack_family: i.attack_family,
    attack_subtype: i.attack_subtype,
    severity: i.severity,
    peak_pps: i.peak_pps,
    peak_bps: i.peak_bps,
    source_ip_count: i.source_ip_count,
    spoofing_detected: i.spoofing_detected === 1,
    botnet_detected: i.botnet_detected === 1,
    started_at: iso(i.started_at),
    updated_at: iso(i.updated_at),
    resolved_at: isoOrNull(i.resolved_at),
    duration_seconds: i.duration_seconds,
  };
}

/** Secrets show only their last 4 characters, so an operator can tell two apart. */
export function maskSecret(v: unknown): unknown {
  if (typeof v === 'string') return v.length <= 8 ? '****' : `****${v.slice(-4)}`;
  if (v && typeof v === 'object') return '****';
  return v;
}

export function presentChannel(c: ChannelRow): Channel {
  const config = fromJson<Record<string, unknown>>(c.config, {});
  for (const key of CHANNEL_SECRET_KEYS[c.type as ChannelType] ?? []) {
    if (key in config) config[key] = maskSecret(config[key]);
  }
  return {
    id: c.id, name: c.name, type: c.type, enabled: c.enabled === 1, min_severity: c.min_severity,
    filters: fromJson<Channel['filters']>(c.filters, {}), config, created_at: iso(c.created_at), updated_at: iso(c.updated_at),
  };
}

/** Accepts ISO 8601, epoch seconds or epoch milliseconds (agents send all three). */
export function parseTime(v: string | number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  if (/^\d+(\.\d+)?$/.test(v)) return parseTime(Number(v), fallback);
  const t = Date.parse(v);
  return Number.isNaN(t) ? fallback : t;
}

/** A pending command as GET agent/config lists it (the same object, so agents read one shape). */
export { presentPendingCommand } from './commands/present-command.ts';
