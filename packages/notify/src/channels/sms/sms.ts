// SMS through the Telnyx Messaging API v2: POST {api_url}/v2/messages, `Authorization: Bearer <API key>`,
// JSON {from, to, text}, one request per recipient. Replies 200 {"data":{"id","record_type":"message"}};
// errors {"errors":[{code,title,detail}]} with 4xx (401 auth, 422 invalid), 429, 5xx.
// Telnyx because its API takes one API key and JSON, which is what the sms config holds.
import type { ChannelFactory } from '../../channel.ts';
import { badConfig, type DeliveryResult } from '../../delivery-result.ts';
import { durationOf, formatBps, formatPps } from '../../format.ts';
import { deliverHttp, joinUrl, jsonHeaders, tryJson } from '../../http-delivery.ts';
import type { Notification } from '../../notification.ts';

export const SMS_MAX = 160;

/** GSM-7 basic characters only, so one message holds 160 of them (one non-GSM char would cut it to 70). */
const gsm = (s: string) => s.replace(/[^A-Za-z0-9 .,:;!?'"()/@#%&*+=<>$_\-\n]/g, '?');

/** The main line fits one SMS; the dashboard link follows only when it fits too. */
export function smsText(n: Notification): string {
  const i = n.incident;
  const attack = i.attack_subtype ? `${i.attack_family}/${i.attack_subtype}` : i.attack_family;
  const peak = `${formatPps(i.peak_pps)} ${formatBps(i.peak_bps)}`;
  const main = {
    'incident.opened': `Breakwater ${i.severity.toUpperCase()}: ${attack} on ${i.node_name} ${i.node_ip}, ${peak}`,
    'incident.escalated': `Breakwater ESCALATED to ${i.severity.toUpperCase()}: ${attack} on ${i.node_name} ${i.node_ip}, ${peak}`,
    'incident.mitigated': `Breakwater MITIGATED: ${attack} on ${i.node_name} ${i.node_ip}${i.mitigation ? ` (${i.mitigation})` : ''}`,
    'incident.resolved': `Breakwater RESOLVED: ${attack} on ${i.node_name} ${i.node_ip} after ${durationOf(n) ?? '?'}, peak ${peak}`,
    test: 'Breakwater test message: this SMS channel works.',
  }[n.event];
  let text = gsm(main);
  if (text.length > SMS_MAX) text = `${text.slice(0, SMS_MAX - 3)}...`;
  const link = i.dashboard_url ? gsm(i.dashboard_url) : null;
  return link && text.length + 1 + link.length <= SMS_MAX ? `${text} ${link}` : text;
}

export const createSmsChannel: ChannelFactory<'sms'> = (config, deps) => {
  const url = /\/messages\/?$/.test(config.api_url) ? config.api_url : joinUrl(config.api_url, 'v2/messages');
  const secrets = [config.api_key];
  return {
    type: 'sms',
    async send(n, ctx) {
      if (!config.from) return badConfig('sms: "from" is required (a number or sender id the SMS provider accepts)');
      const done = new Set(ctx.already_delivered ?? []);
      const text = smsText(n);
      let last: DeliveryResult | null = null;
      const started = deps.now();
      for (const to of config.to) {
        if (done.has(to)) continue;
        const r = await deliverHttp(
          { method: 'POST', url, headers: jsonHeaders({ authorization: `Bearer ${config.api_key}` }), body: JSON.stringify({ from: config.from, to, text }) },
          deps, ctx, secrets,
          (status, body) => {
            const json = tryJson(body) as { data?: { id?: string } } | null;
            return status >= 200 && status < 300 && json?.data?.id ? { provider_ref: json.data.id } : null;
          },
        );
        // Stop at the first failure: the outbox retries only the recipients not yet reached.
        if (r.outcome !== 'delivered') return { ...r, delivered_to: [...done], duration_ms: deps.now() - started };
        done.add(to);
        last = r;
      }
      const base = last ?? { outcome: 'delivered' as const, reason: null, status: null, retry_after_ms: null, message: 'every recipient already had it', excerpt: '', provider_ref: null, duration_ms: 0 };
      return { ...base, delivered_to: [...done], duration_ms: deps.now() - started };
    },
    close: async () => {},
  };
};
