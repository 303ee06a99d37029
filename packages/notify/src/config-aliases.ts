// Key names other tools (and the reference's own example, {"webhook_url": "…"}) use for a
// channel's config, accepted beside ours: each is moved to our key before validation, and the
// channel is stored under our names only.
import type { ChannelType } from '@breakwater/contracts';

/** alias → our key, per channel type. */
export const CHANNEL_CONFIG_ALIASES: Record<ChannelType, Record<string, string>> = {
  discord: { url: 'webhook_url', webhook: 'webhook_url' },
  slack: { url: 'webhook_url', webhook: 'webhook_url' },
  teams: { url: 'webhook_url', webhook: 'webhook_url' },
  webhook: { webhook_url: 'url', endpoint: 'url', signing_secret: 'secret', hmac_secret: 'secret' },
  email: { email: 'to', emails: 'to', address: 'to', addresses: 'to', recipients: 'to', smtp: 'smtp_url' },
  sms: { url: 'api_url', webhook_url: 'api_url', api_token: 'api_key', token: 'api_key', phone: 'to', phone_number: 'to', phone_numbers: 'to', numbers: 'to', recipients: 'to', from_number: 'from' },
  pagerduty: { integration_key: 'routing_key', service_key: 'routing_key', url: 'events_url' },
  opsgenie: { apiKey: 'api_key', url: 'api_url' },
  telegram: { token: 'bot_token', chat: 'chat_id', chatId: 'chat_id', url: 'api_url' },
  grafana: { webhook_url: 'url', grafana_url: 'url', token: 'api_key', api_token: 'api_key' },
  datadog: { apiKey: 'api_key', url: 'api_url' },
  prometheus: { url: 'alertmanager_url', webhook_url: 'alertmanager_url' },
};

/** Keys holding a list that the reference's tools often send as one string. */
const LISTS = new Set(['to']);

/**
 * The config with aliases moved to our keys. A config that gives both an alias and our key (or two
 * aliases of one key) gets `conflict` naming them; anything else is left for validation.
 */
export function normaliseChannelConfig(type: ChannelType, config: unknown): { config: unknown; conflict: string | null } {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return { config, conflict: null };
  const aliases = CHANNEL_CONFIG_ALIASES[type] ?? {};
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    const key = aliases[k] ?? k;
    if (key in out) return { config, conflict: `config.${k}: the same setting as config.${from[key] ?? key}; give one of them` };
    out[key] = LISTS.has(key) && typeof v === 'string' ? v.split(/[,;\s]+/).filter(Boolean) : v;
    from[key] = k;
  }
  return { config: out, conflict: null };
}
