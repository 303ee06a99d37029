// Generic webhook: POST the JSON {event, occurred_at, delivery_id, incident} to the configured URL,
// signed with HMAC-SHA256 when the channel has a secret (see webhook-signature.ts and README).
// Any 2xx is delivered. Receivers de-duplicate retries on X-Breakwater-Delivery.
import type { ChannelFactory } from '../../channel.ts';
import { deliverHttp } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../../webhook-signature.ts';

/** Headers the channel sets itself; config.headers cannot replace them. */
const RESERVED = new Set(['content-type', 'content-length', 'host', SIGNATURE_HEADER, TIMESTAMP_HEADER, 'x-breakwater-event', 'x-breakwater-delivery']);

export function webhookBody(n: Notification, deliveryId: string): Record<string, unknown> {
  return { event: n.event, occurred_at: n.occurred_at, delivery_id: deliveryId, incident: n.incident };
}

export const createWebhookChannel: ChannelFactory<'webhook'> = (config, deps) => {
  const custom = Object.fromEntries(Object.entries(config.headers ?? {}).filter(([k]) => !RESERVED.has(k.toLowerCase())));
  // Custom headers often carry a token (Authorization); treat their values as secrets too.
  const secrets = [...(config.secret ? [config.secret] : []), ...Object.values(custom)];
  return {
    type: 'webhook',
    send: (n, ctx) => {
      const body = JSON.stringify(webhookBody(n, ctx.delivery_id));
      const timestamp = Math.floor(deps.now() / 1000);
      const headers: Record<string, string> = {
        ...custom,
        'content-type': 'application/json',
        'x-breakwater-event': n.event,
        'x-breakwater-delivery': ctx.delivery_id,
        [TIMESTAMP_HEADER]: String(timestamp),
      };
      if (config.secret) headers[SIGNATURE_HEADER] = signWebhook(config.secret, timestamp, body);
      return deliverHttp({ method: 'POST', url: config.url, headers, body }, deps, ctx, secrets);
    },
    close: async () => {},
  };
};
