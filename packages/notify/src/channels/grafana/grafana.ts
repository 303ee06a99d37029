// Grafana HTTP API: POST {url}/api/annotations with a service-account token (Bearer).
// Opened/escalated/mitigated/test → a point annotation at the event; resolved → a region
// annotation from start to end (time/timeEnd in epoch ms), so dashboards shade the attack.
// Replies 200 {"message":"Annotation added","id"}.
import type { ChannelFactory } from '../../channel.ts';
import { plainText, titleOf } from '../../format.ts';
import { deliverHttp, joinUrl, jsonHeaders, tryJson } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export function grafanaAnnotation(n: Notification, now: number, dashboardUid?: string): Record<string, unknown> {
  const i = n.incident;
  const at = (iso: string | null) => (iso ? Date.parse(iso) : NaN);
  const body: Record<string, unknown> = {
    tags: ['breakwater', 'ddos', n.event, `incident:${i.uuid}`, `node:${i.node_name}`, i.attack_family, `severity:${i.severity}`],
    text: plainText(n).replace(/^.*\n/, `${titleOf(n)}\n`),
  };
  if (n.event === 'incident.resolved' && i.resolved_at) {
    body.time = at(i.started_at);
    body.timeEnd = at(i.resolved_at);
  } else {
    body.time = Number.isNaN(at(n.occurred_at)) ? now : at(n.occurred_at);
  }
  if (dashboardUid) body.dashboardUID = dashboardUid;
  return body;
}

export const createGrafanaChannel: ChannelFactory<'grafana'> = (config, deps) => ({
  type: 'grafana',
  send: (n, ctx) =>
    deliverHttp(
      { method: 'POST', url: joinUrl(config.url, 'api/annotations'), headers: jsonHeaders({ authorization: `Bearer ${config.api_key}` }), body: JSON.stringify(grafanaAnnotation(n, deps.now(), config.dashboard_uid)) },
      deps, ctx, [config.api_key],
      (status, text) => {
        const json = tryJson(text) as { id?: number } | null;
        return status === 200 && json?.id != null ? { provider_ref: String(json.id) } : null;
      },
    ),
  close: async () => {},
});
