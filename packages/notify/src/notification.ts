import type { AttackFamily, Severity } from '@breakwater/contracts';

export const NOTIFICATION_EVENTS = ['incident.opened', 'incident.escalated', 'incident.mitigated', 'incident.resolved', 'test'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface TopSource {
  ip: string;
  pps?: number;
  /** Share of the attack's packets, 0..1. */
  share?: number;
  country?: string | null;
}

export interface TopPort {
  port: number;
  protocol?: string;
  share?: number;
}

/** What a channel may say about an incident: flat, already resolved from the db by the caller. */
export interface NotificationIncident {
  uuid: string;
  node_name: string;
  node_ip: string;
  attack_family: AttackFamily;
  attack_subtype: string | null;
  severity: Severity;
  /** Set on incident.escalated, so channels keyed by severity (Alertmanager labels) can end the old alert. */
  previous_severity?: Severity | null;
  peak_pps: number;
  peak_bps: number;
  started_at: string;
  resolved_at: string | null;
  top_sources: TopSource[];
  top_ports: TopPort[];
  summary: string;
  /** What mitigation did (incident.mitigated), e.g. "BGP blackhole 203.0.113.5/32 via gobgp". */
  mitigation?: string | null;
  dashboard_url: string | null;
}

export interface Notification {
  event: NotificationEvent;
  /** When the event happened (UTC ISO 8601); not when it is delivered. */
  occurred_at: string;
  incident: NotificationIncident;
}

/** A plausible incident for the `test` event, so a test message looks like the real thing. */
export function testNotification(now: number, dashboardUrl: string | null = null): Notification {
  const at = new Date(now).toISOString();
  return {
    event: 'test',
    occurred_at: at,
    incident: {
      uuid: '00000000-0000-4000-8000-000000000000',
      node_name: 'test-node',
      node_ip: '192.0.2.1',
      attack_family: 'udp_flood',
      attack_subtype: 'ntp_amplification',
      severity: 'low',
      peak_pps: 0,
      peak_bps: 0,
      started_at: at,
      resolved_at: null,
      top_sources: [],
      top_ports: [],
      summary: 'Test notification from Breakwater: this channel is configured correctly.',
      dashboard_url: dashboardUrl,
    },
  };
}
