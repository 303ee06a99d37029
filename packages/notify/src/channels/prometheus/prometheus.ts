// Prometheus Alertmanager API v2: POST {alertmanager_url}/api/v2/alerts with a JSON array of alerts.
// An alert's identity is its label set, so labels hold only what is stable for one alert
// (severity included, as routing trees match on it: an escalation ends the old-severity alert).
// Alertmanager resolves an alert at endsAt; firing alerts carry endsAt = now + FIRING_HOLD_MS, so
// one delivery keeps the alert up that long and a re-send extends it. Replies 200 with no body.
import type { ChannelFactory } from '../../channel.ts';
import { attackName, titleOf } from '../../format.ts';
import { deliverHttp, joinUrl, jsonHeaders } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';
import type { Severity } from '@breakwater/contracts';

export const ALERTNAME = 'BreakwaterDDoSAttack';
export const FIRING_HOLD_MS = 60 * 60 * 1000;
const TEST_HOLD_MS = 5 * 60 * 1000;

function labelsOf(n: Notification, severity: Severity): Record<string, string> {
  const i = n.incident;
  return {
    alertname: n.event === 'test' ? 'BreakwaterTest' : ALERTNAME,
    severity,
    instance: i.node_ip,
    incident: i.uuid,
    node: i.node_name,
    attack_family: i.attack_family,
  };
}

export function alertmanagerAlerts(n: Notification, now: number): Array<Record<string, unknown>> {
  const i = n.incident;
  const iso = (ms: number) => new Date(ms).toISOString();
  const endsAt = n.event === 'incident.resolved' ? (i.resolved_at ?? n.occurred_at) : iso(now + (n.event === 'test' ? TEST_HOLD_MS : FIRING_HOLD_MS));
  const alert: Record<string, unknown> = {
    labels: labelsOf(n, i.severity),
    annotations: {
      summary: titleOf(n),
      description: i.summary,
      attack: attackName(n),
      event: n.event,
      ...(i.mitigation ? { mitigation: i.mitigation } : {}),
    },
    startsAt: n.event === 'test' ? iso(now) : i.started_at,
    endsAt,
  };
  if (i.dashboard_url) alert.generatorURL = i.dashboard_url;
  const alerts = [alert];
  if (n.event === 'incident.escalated' && i.previous_severity && i.previous_severity !== i.severity) {
    alerts.unshift({ labels: labelsOf(n, i.previous_severity), annotations: alert.annotations, startsAt: i.started_at, endsAt: n.occurred_at, ...(i.dashboard_url ? { generatorURL: i.dashboard_url } : {}) });
  }
  return alerts;
}

export const createPrometheusChannel: ChannelFactory<'prometheus'> = (config, deps) => {
  const auth = config.basic_auth ? Buffer.from(`${config.basic_auth.username}:${config.basic_auth.password}`).toString('base64') : null;
  const secrets = config.basic_auth ? [config.basic_auth.password, auth ?? ''] : [];
  return {
    type: 'prometheus',
    send: (n, ctx) =>
      deliverHttp(
        { method: 'POST', url: joinUrl(config.alertmanager_url, 'api/v2/alerts'), headers: jsonHeaders(auth ? { authorization: `Basic ${auth}` } : {}), body: JSON.stringify(alertmanagerAlerts(n, deps.now())) },
        deps, ctx, secrets,
      ),
    close: async () => {},
  };
};
