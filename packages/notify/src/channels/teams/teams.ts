// Microsoft Teams incoming webhook carrying an Adaptive Card (schema 1.4) as a message attachment.
// Adaptive Card rather than the legacy MessageCard because the Workflows (Power Automate) webhooks
// that replace Office 365 connectors accept only Adaptive Cards, and connectors accept them too.
// Connectors reply 200 "1"; Workflows reply 202 — both are 2xx.
import type { ChannelFactory } from '../../channel.ts';
import { factsOf, titleOf } from '../../format.ts';
import { deliverHttp, jsonHeaders, urlSecrets } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

const STYLE: Record<Notification['event'], string> = {
  'incident.opened': 'attention',
  'incident.escalated': 'attention',
  'incident.mitigated': 'warning',
  'incident.resolved': 'good',
  test: 'accent',
};

export function teamsCard(n: Notification): Record<string, unknown> {
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: titleOf(n), weight: 'Bolder', size: 'Medium', wrap: true, color: STYLE[n.event] },
      { type: 'TextBlock', text: n.incident.summary, wrap: true },
      { type: 'FactSet', facts: factsOf(n).map(([title, value]) => ({ title, value })) },
    ],
    msteams: { width: 'Full' },
  };
  if (n.incident.dashboard_url) card.actions = [{ type: 'Action.OpenUrl', title: 'Open incident', url: n.incident.dashboard_url }];
  return {
    type: 'message',
    summary: titleOf(n),
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

export const createTeamsChannel: ChannelFactory<'teams'> = (config, deps) => {
  const secrets = urlSecrets(config.webhook_url);
  return {
    type: 'teams',
    send: (n, ctx) => deliverHttp({ method: 'POST', url: config.webhook_url, headers: jsonHeaders(), body: JSON.stringify(teamsCard(n)) }, deps, ctx, secrets),
    close: async () => {},
  };
};
