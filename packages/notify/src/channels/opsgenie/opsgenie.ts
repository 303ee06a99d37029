// Opsgenie Alert API v2, header `Authorization: GenieKey <key>`. alias = incident uuid, so:
// opened/escalated → create (Opsgenie de-duplicates an open alert with the same alias),
// mitigated → add a note, resolved → close, all addressed by alias (identifierType=alias).
// Requests are asynchronous on Opsgenie's side: 202 {"result":"Request will be processed","requestId"}.
import type { Severity } from '@breakwater/contracts';
import type { ChannelFactory } from '../../channel.ts';
import { attackName, factsOf, plainText, titleOf, truncate } from '../../format.ts';
import { deliverHttp, joinUrl, jsonHeaders, tryJson } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export const OPSGENIE_API = 'https://api.opsgenie.com';

export const OG_PRIORITY: Record<Severity, 'P1' | 'P2' | 'P3' | 'P4'> = { critical: 'P1', high: 'P2', medium: 'P3', low: 'P4' };

/** "team:NOC", "user:ops@example.com", "escalation:Night", "schedule:Primary"; a bare name is a team. */
export function parseResponder(s: string): Record<string, string> {
  const m = /^(team|user|escalation|schedule):(.+)$/.exec(s);
  const type = m?.[1] ?? 'team';
  const name = (m?.[2] ?? s).trim();
  return type === 'user' ? { type, username: name } : { type, name };
}

const aliasOf = (n: Notification, deliveryId: string) => (n.event === 'test' ? `breakwater-test-${deliveryId}` : n.incident.uuid);

export function opsgenieRequest(n: Notification, baseUrl: string, responders: string[] | undefined, deliveryId: string): { url: string; body: Record<string, unknown> } {
  const alias = aliasOf(n, deliveryId);
  const byAlias = (action: string) => `${joinUrl(baseUrl, `v2/alerts/${encodeURIComponent(alias)}/${action}`)}?identifierType=alias`;
  if (n.event === 'incident.resolved') return { url: byAlias('close'), body: { source: 'Breakwater', user: 'Breakwater', note: truncate(titleOf(n), 25000) } };
  if (n.event === 'incident.mitigated') return { url: byAlias('notes'), body: { source: 'Breakwater', user: 'Breakwater', note: truncate(plainText(n), 25000) } };
  const i = n.incident;
  const body: Record<string, unknown> = {
    message: truncate(titleOf(n), 130),
    alias,
    description: truncate(plainText(n), 15000),
    tags: ['breakwater', 'ddos', i.attack_family, `severity:${i.severity}`],
    details: Object.fromEntries(factsOf(n).map(([k, v]) => [k, truncate(v, 8000)])),
    entity: i.node_name,
    source: 'Breakwater',
    priority: n.event === 'test' ? 'P5' : OG_PRIORITY[i.severity],
    note: attackName(n),
  };
  if (responders?.length) body.responders = responders.map(parseResponder);
  return { url: joinUrl(baseUrl, 'v2/alerts'), body };
}

export const createOpsgenieChannel: ChannelFactory<'opsgenie'> = (config, deps) => ({
  type: 'opsgenie',
  send: (n, ctx) => {
    const { url, body } = opsgenieRequest(n, config.api_url ?? OPSGENIE_API, config.responders, ctx.delivery_id);
    return deliverHttp(
      { method: 'POST', url, headers: jsonHeaders({ authorization: `GenieKey ${config.api_key}` }), body: JSON.stringify(body) },
      deps, ctx, [config.api_key],
      (status, text) => {
        const json = tryJson(text) as { requestId?: string } | null;
        return status === 202 && typeof json?.requestId === 'string' ? { provider_ref: json.requestId } : null;
      },
    );
  },
  close: async () => {},
});
