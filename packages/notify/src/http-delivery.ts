import { OutboundError, replyReason, sendHttp } from '@breakwater/outbound';
import type { ChannelDeps, SendContext } from './channel.ts';
import { badConfig, outcomeOfStatus, parseRetryAfter, redact, type DeliveryResult } from './delivery-result.ts';

export interface HttpRequestSpec {
  method: 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a provider's reply says beyond its status: body-level rate limits, 200 replies that are errors, ids. */
export interface ReplyVerdict {
  outcome?: DeliveryResult['outcome'];
  reason?: DeliveryResult['reason'];
  retry_after_ms?: number | null;
  provider_ref?: string | null;
}

export type ReplyInspector = (status: number, body: string, headers: Headers) => ReplyVerdict | null;

export const DEFAULT_USER_AGENT = 'Breakwater-Notify/0.1';

/**
 * One HTTP attempt under the channel's deadline and the outbound policy, classified. Never throws.
 * People see the status and at most a short sanitised reason from the provider's error field,
 * never the reply body; every text has `secrets` removed (a Slack webhook URL or a Telegram token
 * can be echoed by a proxy).
 */
export async function deliverHttp(req: HttpRequestSpec, deps: ChannelDeps, ctx: SendContext, secrets: readonly string[], inspect?: ReplyInspector): Promise<DeliveryResult> {
  const started = deps.now();
  const took = () => Math.max(0, deps.now() - started);
  let res;
  try {
    res = await sendHttp(
      { reach: deps.reach ?? [], timeoutMs: deps.timeoutMs, fetch: deps.fetch, resolve: deps.resolve, userAgent: deps.userAgent ?? DEFAULT_USER_AGENT },
      { ...req, signal: ctx.signal },
      { secrets },
    );
  } catch (err) {
    return failureOfError(err, deps.timeoutMs, took(), secrets);
  }
  let { outcome, reason } = outcomeOfStatus(res.status);
  let retryAfter = outcome === 'retryable' ? parseRetryAfter(res.headers.get('retry-after'), deps.now()) : null;
  let ref: string | null = null;
  const verdict = inspect?.(res.status, res.text, res.headers);
  if (verdict) {
    if (verdict.outcome) outcome = verdict.outcome;
    if (verdict.reason !== undefined) reason = verdict.reason;
    if (verdict.retry_after_ms !== undefined && verdict.retry_after_ms !== null) retryAfter = verdict.retry_after_ms;
    if (verdict.provider_ref !== undefined) ref = verdict.provider_ref;
  }
  const why = outcome === 'delivered' ? '' : replyReason(res.text, secrets);
  return {
    outcome,
    reason: outcome === 'delivered' ? null : reason,
    status: res.status,
    retry_after_ms: outcome === 'retryable' ? retryAfter : null,
    message: outcome === 'delivered' ? `delivered (HTTP ${res.status})` : `HTTP ${res.status}${reason ? ` ${reason}` : ''}${why ? `: ${why}` : ''}`,
    excerpt: why,
    provider_ref: ref,
    duration_ms: took(),
  };
}

export function failureOfError(err: unknown, timeoutMs: number, durationMs: number, secrets: readonly string[]): DeliveryResult {
  const base = { status: null, retry_after_ms: null, excerpt: '', provider_ref: null, duration_ms: durationMs };
  if (err instanceof OutboundError) {
    // A destination the policy refuses, or a URL that is none, is the config's fault: retrying cannot help.
    if (!err.retryable) return { ...badConfig(redact(err.message, secrets), durationMs) };
    if (err.kind === 'timeout') return { ...base, outcome: 'retryable', reason: 'timeout', message: `no reply within ${timeoutMs} ms` };
    return { ...base, outcome: 'retryable', reason: 'network', message: redact(err.message, secrets) };
  }
  return { ...base, outcome: 'retryable', reason: 'network', message: redact(err instanceof Error ? err.message : String(err), secrets) };
}

/** Secrets of a URL that carries its credential (Slack, Discord, Teams webhooks): the whole URL, and its path. */
export function urlSecrets(url: string): string[] {
  if (!URL.canParse(url)) return [url];
  const u = new URL(url);
  const out = [url, u.href, `${u.pathname}${u.search}`];
  if (u.pathname.length > 1) out.push(u.pathname);
  // Teams/Workflows URLs carry their signature in the query (sig=…).
  if (u.search.length > 1) out.push(u.search.slice(1));
  for (const v of u.searchParams.values()) if (v.length >= 8) out.push(v);
  if (u.password) out.push(u.password);
  return out;
}

export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json', ...extra };
}

export function tryJson(body: string): unknown {
  try { return JSON.parse(body); } catch { return null; }
}

/** base + path, without doubling or dropping the slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
