// Email over SMTP with nodemailer: text and HTML bodies. Messages of one incident thread together:
// the opened mail's Message-ID is <incident-UUID@breakwater>, later ones reference it.
// SMTP replies classify like HTTP ones: 4xx (421, 450, 451…) retry, 535/530 are bad credentials,
// other 5xx are refusals; no greeting or reply within the deadline is a timeout.
import { createTransport } from 'nodemailer';
import { checkHost } from '@breakwater/outbound';
import type { ChannelFactory } from '../../channel.ts';
import { badConfig, excerptOf, redact, type DeliveryResult, type FailureReason } from '../../delivery-result.ts';
import { DEFAULT_USER_AGENT } from '../../http-delivery.ts';
import { colorOf, escapeHtml, factsOf, plainText, titleOf } from '../../format.ts';
import type { Notification } from '../../notification.ts';

export function emailHtml(n: Notification): string {
  const color = `#${colorOf(n).toString(16).padStart(6, '0')}`;
  const rows = factsOf(n).map(([k, v]) => `<tr><th align="left" style="padding:4px 12px 4px 0">${escapeHtml(k)}</th><td style="padding:4px 0">${escapeHtml(v)}</td></tr>`).join('');
  const link = n.incident.dashboard_url ? `<p><a href="${escapeHtml(n.incident.dashboard_url)}">Open incident</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif">` +
    `<h2 style="border-left:6px solid ${color};padding-left:8px">${escapeHtml(titleOf(n))}</h2>` +
    `<p>${escapeHtml(n.incident.summary)}</p><table>${rows}</table>${link}</body></html>`;
}

const threadId = (n: Notification) => `<incident-${n.incident.uuid}@breakwater>`;

function smtpFailure(err: unknown, secrets: readonly string[], durationMs: number): DeliveryResult {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  let outcome: DeliveryResult['outcome'] = 'retryable';
  let reason: FailureReason = 'network';
  if (code !== null && code >= 400 && code < 500) reason = 'server_error';
  else if (code === 535 || code === 530 || e?.code === 'EAUTH') { outcome = 'permanent'; reason = 'unauthorized'; }
  else if (code !== null && code >= 500) { outcome = 'permanent'; reason = 'rejected'; }
  else if (e?.code === 'ETIMEDOUT') reason = 'timeout';
  else if (e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE') { outcome = 'permanent'; reason = 'rejected'; }
  return {
    outcome, reason, status: code, retry_after_ms: null,
    message: redact(`${e?.code ?? 'error'}: ${e?.message ?? String(err)}`, secrets).slice(0, 300),
    excerpt: excerptOf(e?.response ?? '', secrets),
    provider_ref: null,
    duration_ms: durationMs,
  };
}

export const createEmailChannel: ChannelFactory<'email'> = (config, deps) => {
  const smtpUrl = config.smtp_url ?? deps.email?.smtpUrl;
  const from = config.from ?? deps.email?.from;
  const secrets: string[] = [];
  if (smtpUrl && URL.canParse(smtpUrl)) {
    const u = new URL(smtpUrl);
    if (u.password) secrets.push(decodeURIComponent(u.password), u.password);
    secrets.push(smtpUrl);
  }
  const t = deps.timeoutMs;
  // Not pooled: alerts are rare, and a fresh connection per message cannot go stale between them.
  const transport = smtpUrl ? createTransport({ url: smtpUrl, connectionTimeout: t, greetingTimeout: t, socketTimeout: t } as Parameters<typeof createTransport>[0]) : null;
  return {
    type: 'email',
    async send(n, ctx) {
      if (!transport) return badConfig('email: no SMTP server (smtp_url in the channel or the server\'s SMTP settings)');
      if (!from) return badConfig('email: no sender address (from in the channel or the server\'s SMTP settings)');
      // The channel's own SMTP server is under the outbound policy (the server's own is the operator's choice).
      // nodemailer resolves the name again when it connects: checked here, not pinned as HTTP calls are.
      if (config.smtp_url && URL.canParse(config.smtp_url)) {
        const refused = await checkHost(new URL(config.smtp_url).hostname, deps.reach ?? [], deps.resolve);
        if (refused) return badConfig(redact(`smtp_url refused: ${refused.message}`, secrets));
      }
      const started = deps.now();
      const took = () => Math.max(0, deps.now() - started);
      const opened = n.event === 'incident.opened';
      const domain = from.split('@')[1] ?? 'breakwater';
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), t); });
      try {
        const sending = transport.sendMail({
          from,
          to: config.to,
          subject: `[Breakwater] ${titleOf(n)}`,
          text: plainText(n),
          html: emailHtml(n),
          messageId: opened ? threadId(n) : `<${ctx.delivery_id}.${n.incident.uuid}@${domain}>`,
          ...(opened || n.event === 'test' ? {} : { inReplyTo: threadId(n), references: [threadId(n)] }),
          headers: { 'X-Breakwater-Event': n.event, 'X-Breakwater-Incident': n.incident.uuid, 'X-Breakwater-Delivery': ctx.delivery_id, 'X-Mailer': deps.userAgent ?? DEFAULT_USER_AGENT },
        });
        const winner = await Promise.race([sending, deadline]);
        if (winner === 'timeout') {
          sending.catch(() => {}); // nodemailer's own socket timeouts end it
          return { outcome: 'retryable', reason: 'timeout', status: null, retry_after_ms: null, message: `no SMTP reply within ${t} ms`, excerpt: '', provider_ref: null, duration_ms: took() };
        }
        const info = winner as { messageId?: string; response?: string; accepted?: Array<string | { address: string }>; rejected?: Array<string | { address: string }> };
        const addr = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);
        const response = info.response ?? '';
        const rejected = (info.rejected ?? []).map(addr);
        return {
          outcome: 'delivered', reason: null,
          status: Number(/^\d{3}/.exec(response)?.[0] ?? 250),
          retry_after_ms: null,
          message: rejected.length ? `delivered; refused by the server for ${rejected.join(', ')}` : 'delivered',
          excerpt: excerptOf(response, secrets),
          provider_ref: info.messageId ?? null,
          delivered_to: (info.accepted ?? []).map(addr),
          duration_ms: took(),
        };
      } catch (err) {
        return smtpFailure(err, secrets, took());
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => { transport?.close(); },
  };
};
