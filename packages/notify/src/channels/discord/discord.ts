// Discord "Execute Webhook": POST /api/webhooks/{id}/{token}?wait=true with embeds.
// wait=true makes Discord reply 200 with the created message (its id is our proof of delivery)
// instead of 204 before it is stored. 429 carries `retry_after` (seconds, float) in the JSON body.
import type { ChannelFactory } from '../../channel.ts';
import { colorOf, factsOf, titleOf, truncate } from '../../format.ts';
import { deliverHttp, jsonHeaders, tryJson, urlSecrets } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export function discordPayload(n: Notification): Record<string, unknown> {
  const embed: Record<string, unknown> = {
    title: truncate(titleOf(n), 256),
    description: truncate(n.incident.summary, 4096),
    color: colorOf(n),
    // Embeds allow 25 fields: name ≤ 256, value ≤ 1024.
    fields: factsOf(n).slice(0, 25).map(([k, v]) => ({ name: truncate(k, 256), value: truncate(v, 1024), inline: v.length <= 40 })),
    timestamp: n.occurred_at,
    footer: { text: 'Breakwater' },
  };
  if (n.incident.dashboard_url) embed.url = n.incident.dashboard_url;
  // No pings from text an attacker may influence (node names, summaries).
  return { username: 'Breakwater', embeds: [embed], allowed_mentions: { parse: [] } };
}

function withWait(url: string): string {
  const u = new URL(url);
  u.searchParams.set('wait', 'true');
  return u.href;
}

export const createDiscordChannel: ChannelFactory<'discord'> = (config, deps) => {
  const secrets = urlSecrets(config.webhook_url);
  return {
    type: 'discord',
    send: (n, ctx) =>
      deliverHttp(
        { method: 'POST', url: URL.canParse(config.webhook_url) ? withWait(config.webhook_url) : config.webhook_url, headers: jsonHeaders(), body: JSON.stringify(discordPayload(n)) },
        deps, ctx, [...secrets, ...(URL.canParse(config.webhook_url) ? urlSecrets(withWait(config.webhook_url)) : [])],
        (status, body) => {
          const json = tryJson(body) as { id?: unknown; retry_after?: unknown } | null;
          if (status === 429 && typeof json?.retry_after === 'number') return { retry_after_ms: Math.ceil(json.retry_after * 1000) };
          if (status === 200 && typeof json?.id === 'string') return { provider_ref: json.id };
          return null;
        },
      ),
    close: async () => {},
  };
};
