// Telegram Bot API: POST {api_url}/bot<token>/sendMessage, parse_mode HTML (only <b>, <i>, <a>,
// <code>, <pre> are used; every interpolated text is escaped). Replies {"ok":true,"result":{message_id}};
// errors {"ok":false,"error_code","description"}, 429 with parameters.retry_after (seconds).
import type { ChannelFactory } from '../../channel.ts';
import { escapeHtml, factsOf, titleOf, truncate } from '../../format.ts';
import { deliverHttp, joinUrl, jsonHeaders, tryJson } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export const TELEGRAM_API = 'https://api.telegram.org';

export function telegramText(n: Notification): string {
  const lines = [`<b>${escapeHtml(titleOf(n))}</b>`, '', escapeHtml(n.incident.summary), ''];
  for (const [k, v] of factsOf(n)) lines.push(`<b>${escapeHtml(k)}:</b> ${k === 'Incident' ? `<code>${escapeHtml(v)}</code>` : escapeHtml(v)}`);
  if (n.incident.dashboard_url) lines.push('', `<a href="${escapeHtml(n.incident.dashboard_url)}">Open incident</a>`);
  const text = lines.join('\n');
  // 4096 is the limit after entity parsing; cutting the tagged text could leave a tag open, so fall back to the title.
  return text.length <= 4096 ? text : truncate(`<b>${escapeHtml(titleOf(n))}</b>\n\n${escapeHtml(truncate(n.incident.summary, 3500))}`, 4096);
}

export const createTelegramChannel: ChannelFactory<'telegram'> = (config, deps) => {
  const secrets = [config.bot_token, `bot${config.bot_token}`];
  const url = joinUrl(config.api_url ?? TELEGRAM_API, `bot${config.bot_token}/sendMessage`);
  return {
    type: 'telegram',
    send: (n, ctx) =>
      deliverHttp(
        {
          method: 'POST', url, headers: jsonHeaders(),
          body: JSON.stringify({ chat_id: config.chat_id, text: telegramText(n), parse_mode: 'HTML', link_preview_options: { is_disabled: true } }),
        },
        deps, ctx, secrets,
        (status, body) => {
          const json = tryJson(body) as { ok?: boolean; result?: { message_id?: number }; parameters?: { retry_after?: number } } | null;
          if (status === 429 && typeof json?.parameters?.retry_after === 'number') return { retry_after_ms: json.parameters.retry_after * 1000 };
          if (status === 200 && json?.ok !== true) return { outcome: 'permanent', reason: 'rejected' };
          if (status === 200 && json?.result?.message_id != null) return { provider_ref: String(json.result.message_id) };
          return null;
        },
      ),
    close: async () => {},
  };
};
