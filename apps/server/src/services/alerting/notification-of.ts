// Builds the message channels send from what is stored, at the moment of the event:
// a retried delivery sends exactly what the first attempt would have sent.
import type { AttackFamily, Severity } from '@breakwater/contracts';
import { fromJson, type IncidentRow, type NodeRow } from '@breakwater/db';
import type { Notification, NotificationEvent } from '@breakwater/notify';
import { incidentSummary } from '../incidents/incident-summary.ts';

export interface IncidentContext {
  incident: IncidentRow;
  node: { uuid: string; name: string; ip: string; tags: string[] };
  previousSeverity?: Severity | null;
  /** incident.mitigated: what was done, e.g. "BGP blackhole 203.0.113.5/32 via edge-gobgp". */
  mitigation?: string;
}

/** The node as notifications show it. */
export function alertNodeOf(node: NodeRow): IncidentContext['node'] {
  return { uuid: node.uuid, name: node.name, ip: node.ip, tags: fromJson<string[]>(node.tags, []) };
}

export function notificationOf(event: NotificationEvent, c: IncidentContext, at: number, dashboardUrl: string | null): Notification {
  const i = c.incident;
  const sources = fromJson<{ ip: string; count?: number }[]>(i.top_src_ips, []);
  const ports = fromJson<{ port: number; count?: number }[]>(i.top_dst_ports, []);
  const sourceTotal = sources.reduce((a, s) => a + (s.count ?? 0), 0);
  const portTotal = ports.reduce((a, p) => a + (p.count ?? 0), 0);
  return {
    event,
    occurred_at: new Date(at).toISOString(),
    incident: {
      uuid: i.uuid,
      node_name: c.node.name,
      node_ip: c.node.ip,
      attack_family: i.attack_family as AttackFamily,
      attack_subtype: i.attack_subtype,
      severity: i.severity as Severity,
      previous_severity: c.previousSeverity ?? null,
      peak_pps: i.peak_pps,
      peak_bps: i.peak_bps,
      started_at: new Date(i.started_at).toISOString(),
      resolved_at: i.resolved_at === null ? null : new Date(i.resolved_at).toISOString(),
      top_sources: sources.slice(0, 10).map((s) => ({ ip: s.ip, share: sourceTotal > 0 && s.count ? s.count / sourceTotal : undefined })),
      top_ports: ports.slice(0, 10).map((p) => ({ port: p.port, share: portTotal > 0 && p.count ? p.count / portTotal : undefined })),
      summary: i.summary ?? incidentSummary({ ...i, node_uuid: c.node.uuid, node_name: c.node.name }),
      mitigation: c.mitigation ?? null,
      dashboard_url: dashboardUrl ? `${dashboardUrl.replace(/\/+$/, '')}/incidents/${i.uuid}` : null,
    },
  };
}
