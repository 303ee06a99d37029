// The outbound policy applied to a channel's config when it is saved, so a destination the
// policy refuses is a 400 naming the key rather than a failed delivery later. The call itself
// checks again (a name may resolve elsewhere by then).
import type { ChannelType, OutboundReach } from '@breakwater/contracts';
import { checkUrl, type Resolver } from '@breakwater/outbound';

/** Config keys that hold a URL the channel calls. */
export const CHANNEL_URL_KEYS: Record<ChannelType, string[]> = {
  discord: ['webhook_url'], slack: ['webhook_url'], teams: ['webhook_url'], webhook: ['url'], email: ['smtp_url'], sms: ['api_url'],
  pagerduty: ['events_url'], opsgenie: ['api_url'], telegram: ['api_url'], grafana: ['url'], datadog: ['api_url'], prometheus: ['alertmanager_url'],
};

/** "config.<key>: refused: …" for the first destination out of reach, else null. */
export async function checkChannelReach(type: ChannelType, config: Record<string, unknown>, reach: readonly OutboundReach[], resolve?: Resolver): Promise<string | null> {
  for (const key of CHANNEL_URL_KEYS[type] ?? []) {
    const v = config[key];
    if (typeof v !== 'string') continue;
    // smtp(s):// is checked by host like the others.
    const url = v.replace(/^smtps?:\/\//, 'http://');
    const problem = await checkUrl(url, reach, resolve);
    if (problem) return `config.${key}: ${/^(is|must)/.test(problem) ? problem : `refused: ${problem}`}`;
  }
  return null;
}
