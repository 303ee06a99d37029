// Datadog Events API v1: POST {api}/api/v1/events with header DD-API-KEY. One aggregation_key per
// incident groups its events in the event stream. Replies 202 {"status":"ok","event":{"id"}}.
import type { ChannelFactory } from '../../channel.ts';
import { factsOf, titleOf, truncate } from '../../format.ts';
import { deliverHttp, joinUrl, jsonHeaders, tryJson } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export const datadogApiUrl = (site = 'datadoghq.com') => `https://api.${site}`;

export function datadogAlertType(n: Notification): 'error' | 'warning' | 'info' | 'success' {
  if (n.event === 'incident.resolved') return 'success';
  if (n.event === 'test' || n.event === 'incident.mitigated') return 'info';
  return n.incident.severity === 'critical' || n.incident.severity === 'high' ? 'error' : 'warning';
}

/** Tag values: lowercase, no spaces or commas (Datadog's tag rules). */
const tag = (k: string, v: string) => `${k}:${v.toLowerCase().replace(/[^a-z0-9_.:/-]+/g, '_')}`.slice(0, 200);

export function datadogEvent(n: Notification, now: number): Record<string, unknown> {
  const i = n.incident;
  const md = [i.summary, '', ...factsOf(n).map(([k, v]) => `**${k}:** ${v}`)];
  if (i.dashboard_url) md.push('', `[Open incident](${i.dashboard_url})`);
  return {
    title: truncate(titleOf(n), 100),
    // %%% marks the text as Markdown; the whole text is limited to 4000 characters.
    text: `%%% \n${truncate(md.join('\n'), 3980)}\n %%%`,
    alert_type: datadogAlertType(n),
    priority: 'normal',
    aggregation_key: n.event === 'test' ? 'breakwater-test' : i.uuid,
    source_type_name: 'breakwater',
    host: i.node_name,
    date_happened: Math.floor((Date.parse(n.occurred_at) || now) / 1000),
    tags: ['source:breakwater', tag('event', n.event), tag('incident', i.uuid), tag('node', i.node_name), tag('attack_family', i.attack_family), tag('severity', i.severity)],
  };
}

export const createDatadogChannel: ChannelFactory<'datadog'> = (config, deps) => ({
  type: 'datadog',
  send: (n, ctx) =>
    deliverHttp(
      { method: 'POST', url: joinUrl(config.api_url ?? datadogApiUrl(config.site), 'api/v1/events'), headers: jsonHeaders({ 'dd-api-key': config.api_key }), body: JSON.stringify(datadogEvent(n, deps.now())) },
      deps, ctx, [config.api_key],
      (status, text) => {
        const json = tryJson(text) as { event?: { id?: number | string } } | null;
        return status === 202 && json?.event?.id != null ? { provider_ref: String(json.event.id) } : null;
      },
    ),
  close: async () => {},
});
