// webhook: an HTTP request to the operator's URL, through the outbound kit (policy on the
// addresses it may reach, deadline, capped read, no redirects), signed like the webhook channel
// (X-Breakwater-Signature: HMAC-SHA256 over "<timestamp>.<body>") when it has a secret, and retried
// on timeouts, network errors, 429 and 5xx. Templated values are URL-encoded in the URL and
// JSON-escaped in the payload. Every attempt carries the same idempotency key (execution + step).
import { OutboundError, redact, retryDelayMs, sendHttp, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, type RetryPolicy } from '@breakwater/outbound';
import { render } from '../template.ts';
import { message, type StepDef } from '../step.ts';
import { templateProblems } from './checks.ts';

const RETRY: RetryPolicy = { baseMs: 250, maxMs: 4000 };
const retryableStatus = (s: number) => s === 429 || s >= 500;

export function webhookBody(payload: Record<string, string> | undefined, vars: Parameters<typeof render>[1]): string {
  const fields = Object.entries(payload ?? { event: 'runbook.step', incident: '{{incident.id}}', target: '{{incident.target}}' });
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:"${render(v, vars, 'json')}"`).join(',')}}`;
}

export const webhookStep: StepDef<'webhook'> = {
  type: 'webhook',
  sideEffect: true,
  check: (c) => templateProblems({ url: c.url, ...Object.fromEntries(Object.entries(c.payload ?? {}).map(([k, v]) => [`payload.${k}`, v])) }),
  async run(ctx) {
    const c = ctx.config;
    const url = render(c.url, ctx.vars, 'url');
    const body = webhookBody(c.payload, ctx.vars);
    const secrets = c.secret ? [c.secret] : [];
    const shownUrl = redact(url, secrets);
    if (ctx.dryRun) return { status: 'dry_run', output: { url: shownUrl, method: c.method ?? 'POST', body } };
    const retries = c.retries ?? 2;
    let lastError = '';
    let lastStatus: number | null = null;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': `${ctx.executionId}:${ctx.index}` };
      if (c.secret) {
        const ts = Math.floor(ctx.now() / 1000);
        headers[TIMESTAMP_HEADER] = String(ts);
        headers[SIGNATURE_HEADER] = signWebhook(c.secret, ts, body);
      }
      let retry = false;
      try {
        const reply = await sendHttp({ reach: ctx.effects.outbound.reach, timeoutMs: c.timeout_ms ?? 5000, fetch: ctx.effects.outbound.fetch, userAgent: ctx.effects.outbound.userAgent }, { method: c.method ?? 'POST', url, headers, body, signal: ctx.signal }, { secrets });
        lastStatus = reply.status;
        if (reply.status >= 200 && reply.status < 300) return { status: 'succeeded', output: { url: shownUrl, status: reply.status, attempts: attempt }, attempts: attempt };
        lastError = `HTTP ${reply.status}`;
        retry = retryableStatus(reply.status);
      } catch (err) {
        lastError = redact(message(err), secrets);
        retry = err instanceof OutboundError ? err.retryable && err.kind !== 'cancelled' : false;
      }
      if (!retry || attempt > retries) return { status: 'failed', output: { url: shownUrl, status: lastStatus, attempts: attempt }, error: `webhook: ${lastError}`, attempts: attempt };
      await new Promise((r) => setTimeout(r, retryDelayMs(attempt, RETRY)));
    }
    return { status: 'failed', output: { url: shownUrl, status: lastStatus }, error: `webhook: ${lastError}` };
  },
};
