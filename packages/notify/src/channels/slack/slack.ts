// Slack incoming webhook: Block Kit blocks, with `text` as the notification/fallback line.
// Replies 200 "ok"; errors are plain text (400 invalid_payload, 403 invalid_token, 404 no_service, 410 channel_is_archived).
import type { ChannelFactory } from '../../channel.ts';
import { EVENT_VERB, factsOf, titleOf, truncate } from '../../format.ts';
import { deliverHttp, jsonHeaders, urlSecrets } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

/** Slack mrkdwn needs only these three escaped. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const EMOJI: Record<Notification['event'], string> = {
  'incident.opened': ':rotating_light:',
  'incident.escalated': ':arrow_double_up:',
  'incident.mitigated': ':shield:',
  'incident.resolved': ':white_check_mark:',
  test: ':wave:',
};

export function slackPayload(n: Notification, channel?: string): Record<string, unknown> {
  const title = titleOf(n);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${EMOJI[n.event]} ${EVENT_VERB[n.event]}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${esc(title)}*\n${esc(n.incident.summary)}`, 3000) } },
    // A section holds at most 10 fields of at most 2000 characters.
    { type: 'section', fields: factsOf(n).slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: truncate(`*${esc(k)}*\n${esc(v)}`, 2000) })) },
  ];
  if (n.incident.dashboard_url) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: n.incident.dashboard_url }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Breakwater · incident ${n.incident.uuid} · ${n.occurred_at}` }] });
  return { text: truncate(title, 3000), blocks, ...(channel ? { channel } : {}) };
}

export const createSlackChannel: ChannelFactory<'slack'> = (config, deps) => {
  const secrets = urlSecrets(config.webhook_url);
  return {
    type: 'slack',
    send: (n, ctx) => deliverHttp({ method: 'POST', url: config.webhook_url, headers: jsonHeaders(), body: JSON.stringify(slackPayload(n, config.channel)) }, deps, ctx, secrets),
    close: async () => {},
  };
};
