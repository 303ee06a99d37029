// Generic webhook: each announce/withdraw is POSTed as JSON to the endpoint —
//   {"event": "mitigation.announce" | "mitigation.withdraw", "rule": {"id", "spec"}, "sent_at": ISO-8601}
// signed with HMAC-SHA256 (auth_token is the secret; see signature.ts). Any 2xx means the receiver
// took it; 408/429/5xx are retried, other statuses are not. The receiver decides what a rule means,
// so all three capabilities are offered, and present() is null: a webhook cannot be asked what it
// holds, so reconciliation re-announces (receivers must treat repeats as no-ops, keyed on rule.id).
import type { Capability } from '@breakwater/contracts';
import { AdapterError, type AdapterFactory, type AnnouncedRule, type ConnectivityResult } from '../../adapter.ts';
import { httpCall, replyError } from '../http/http-call.ts';
import { Type } from 'typebox';
import { adapterOptions } from '../../adapter-options.ts';
import { endpointUrl, requireToken } from '../http/options.ts';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';

const CAPABILITIES: readonly Capability[] = ['blackhole', 'flowspec', 'scrubbing'];
export type WebhookEvent = 'mitigation.announce' | 'mitigation.withdraw' | 'mitigation.test';
/** Headers the adapter sets; options.headers cannot replace them. */
const RESERVED = new Set(['content-type', 'content-length', 'host', 'user-agent', SIGNATURE_HEADER, TIMESTAMP_HEADER, 'x-breakwater-event']);

interface Settings { url: string; secret: string; headers: Record<string, string> }

// Header values often carry a token (Authorization): never repeated in messages.
export const WebhookOptions = Type.Object({
  headers: Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ pattern: '^[^\\r\\n]*$', allowed: 'a one-line string' }), {
    default: {}, additionalProperties: Type.Never(), allowed: 'an object of header name → string value', allowedKeys: 'a header name (letters, digits and -)',
  }),
}, { additionalProperties: false });

function parseSettings(config: Parameters<AdapterFactory>[0]): Settings {
  const url = endpointUrl(config.endpoint, 'the URL the receiver listens on');
  const secret = requireToken(config.authToken, 'the shared secret the receiver checks the HMAC-SHA256 signature with');
  const { headers } = adapterOptions(WebhookOptions, config.options, { echo: false });
  for (const k of Object.keys(headers)) {
    if (RESERVED.has(k.toLowerCase())) throw AdapterError.about(`options.headers.${k}`, 'is set by the adapter and cannot be replaced');
  }
  return { url, secret, headers };
}

export function webhookBody(event: WebhookEvent, rule: AnnouncedRule | null, nowMs: number): string {
  return JSON.stringify({ event, rule: rule ? { id: rule.id, spec: rule.spec } : null, sent_at: new Date(nowMs).toISOString() });
}

export const createWebhookAdapter: AdapterFactory = (config, deps) => {
  let s: Settings | null = null;

  async function post(st: Settings, event: WebhookEvent, rule: AnnouncedRule | null): Promise<number> {
    const now = deps.now();
    const body = webhookBody(event, rule, now);
    const ts = Math.floor(now / 1000);
    // Custom headers often carry a token (Authorization): keep their values out of messages too.
    const secrets = [st.secret, ...Object.values(st.headers)];
    const reply = await httpCall(deps, {
      method: 'POST',
      url: st.url,
      headers: { ...st.headers, 'content-type': 'application/json', 'x-breakwater-event': event, [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: sign(st.secret, ts, body) },
      body,
    }, `webhook: ${event}`, secrets);
    if (reply.status < 200 || reply.status >= 300) throw replyError(`webhook: ${event}`, reply.status, reply.text, secrets);
    return reply.status;
  }

  const settings = (): Settings => {
    if (!s) throw new AdapterError('webhook: the adapter is not started', false);
    return s;
  };

  return {
    type: 'webhook',
    capabilities: CAPABILITIES,
    async start() { s = parseSettings(config); },
    async announce(rule) { await post(settings(), 'mitigation.announce', rule); },
    async withdraw(rule) { await post(settings(), 'mitigation.withdraw', rule); },
    async present() { return null; },
    async test(): Promise<ConnectivityResult> {
      // A signed mitigation.test event with rule null: receivers answer 2xx and change nothing.
      const started = deps.now();
      try {
        const status = await post(s ?? parseSettings(config), 'mitigation.test', null);
        return { ok: true, latency_ms: Math.max(0, deps.now() - started), message: `webhook: receiver answered HTTP ${status}` };
      } catch (err) {
        return { ok: false, latency_ms: Math.max(0, deps.now() - started), message: err instanceof Error ? err.message : String(err) };
      }
    },
    async stop() { s = null; },
  };
};
