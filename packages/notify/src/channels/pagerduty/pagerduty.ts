// PagerDuty Events API v2: POST /v2/enqueue, the integration's routing_key in the body (no auth header).
// One dedup_key per incident, so every trigger updates the same alert and the resolve closes it.
// Replies 202 {"status":"success","dedup_key"}; 400 invalid event; 429 throttled.
import type { Severity } from '@breakwater/contracts';
import type { ChannelFactory } from '../../channel.ts';
import { attackName, formatBps, formatPps, titleOf, topPorts, topSources, truncate } from '../../format.ts';
import { deliverHttp, jsonHeaders, tryJson } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

export const dedupKeyOf = (n: Notification, deliveryId: string): string =>
  // A test must not update (or resolve) a real incident's alert.
  n.event === 'test' ? `breakwater-test-${deliveryId}` : `breakwater-${n.incident.uuid}`;

export function pagerdutyEvent(n: Notification, routingKey: string, deliveryId: string): Record<string, unknown> {
  const i = n.incident;
  const dedup_key = dedupKeyOf(n, deliveryId);
  if (n.event === 'incident.resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key,
    client: 'Breakwater',
    payload: {
      summary: truncate(titleOf(n), 1024),
      source: i.node_ip,
      severity: n.event === 'test' ? 'info' : PD_SEVERITY[i.severity],
      timestamp: i.started_at,
      component: i.node_name,
      group: 'ddos',
      class: attackName(n),
      custom_details: {
        event: n.event,
        summary: i.summary,
        incident: i.uuid,
        node: i.node_name,
        node_ip: i.node_ip,
        attack_family: i.attack_family,
        attack_subtype: i.attack_subtype,
        severity: i.severity,
        peak_pps: i.peak_pps,
        peak_bps: i.peak_bps,
        peak: `${formatPps(i.peak_pps)} / ${formatBps(i.peak_bps)}`,
        top_sources: topSources(n, 10),
        top_ports: topPorts(n, 10),
        ...(i.mitigation ? { mitigation: i.mitigation } : {}),
      },
    },
  };
  if (i.dashboard_url) {
    event.client_url = i.dashboard_url;
    event.links = [{ href: i.dashboard_url, text: 'Breakwater incident' }];
  }
  return event;
}

export const createPagerDutyChannel: ChannelFactory<'pagerduty'> = (config, deps) => ({
  type: 'pagerduty',
  send: (n, ctx) =>
    deliverHttp(
      { method: 'POST', url: config.events_url ?? PAGERDUTY_EVENTS_URL, headers: jsonHeaders(), body: JSON.stringify(pagerdutyEvent(n, config.routing_key, ctx.delivery_id)) },
      deps, ctx, [config.routing_key],
      (status, body) => {
        const json = tryJson(body) as { dedup_key?: string } | null;
        return status === 202 && typeof json?.dedup_key === 'string' ? { provider_ref: json.dedup_key } : null;
      },
    ),
  close: async () => {},
});
