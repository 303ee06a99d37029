import type { Notification, NotificationEvent } from '../notification.ts';

export const INCIDENT_UUID = '3f2b8c1e-6a4d-4c2e-9b7a-1d5e8f0a2c4b';

/** One incident as each event would carry it; node and summary hold characters every format must escape. */
export function notificationFor(event: NotificationEvent): Notification {
  const resolved = event === 'incident.resolved';
  return {
    event,
    occurred_at: resolved ? '2026-05-04T10:17:42.000Z' : '2026-05-04T10:12:03.000Z',
    incident: {
      uuid: INCIDENT_UUID,
      node_name: 'edge-<1>&"a"',
      node_ip: '203.0.113.5',
      attack_family: 'udp_flood',
      attack_subtype: 'ntp_amplification',
      severity: event === 'incident.opened' ? 'high' : 'critical',
      previous_severity: event === 'incident.escalated' ? 'high' : null,
      peak_pps: 1_250_000,
      peak_bps: 9_800_000_000,
      started_at: '2026-05-04T10:12:01.000Z',
      resolved_at: resolved ? '2026-05-04T10:17:40.000Z' : null,
      top_sources: [{ ip: '198.51.100.7', share: 0.31, country: 'NL' }, { ip: '198.51.100.9', share: 0.12, country: null }],
      top_ports: [{ port: 123, protocol: 'udp', share: 0.97 }],
      summary: 'NTP amplification <script>alert(1)</script> & friends from 2 sources',
      mitigation: event === 'incident.mitigated' ? 'BGP blackhole 203.0.113.5/32 via gobgp' : null,
      dashboard_url: `https://breakwater.example/incidents/${INCIDENT_UUID}`,
    },
  };
}
