import type { ChannelDeps, SendContext } from './channel.ts';
import { badConfig, excerptOf, outcomeOfStatus, parseRetryAfter, redact, type DeliveryResult } from './delivery-result.ts';

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

const BODY_MAX = 64 * 1024;

export const DEFAULT_USER_AGENT = 'Breakwater-Notify/0.1';

/**
 * One HTTP attempt under the channel's deadline, classified. Never throws; every text in the
 * result has `secrets` removed (a Slack webhook URL or a Telegram token can be echoed by a proxy).
 */
export async function deliverHttp(req: HttpRequestSpec, deps: ChannelDeps, ctx: SendContext, secrets: readonly string[], inspect?: ReplyInspector): Promise<DeliveryResult> {
  const started = deps.now();
  const took = () => Math.max(0, deps.now() - started);
  if (!URL.canParse(req.url)) return badConfig('endpoint URL is not a valid URL');
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([timeout, ctx.signal]) : timeout;
  let res: Response;
  let body: string;
  try {
    res = await deps.fetch(req.url, {
      method: req.method,
      headers: { 'user-agent': deps.userAgent ?? DEFAULT_USER_AGENT, ...req.headers },
      body: req.body,
      signal,
      redirect: 'manual',
    });
    body = await readCapped(res);
  } catch (err) {
    return failureOfError(err, timeout, deps.timeoutMs, took(), secrets);
  }
  let { outcome, reason } = outcomeOfStatus(res.status);
  let retryAfter = outcome === 'retryable' ? parseRetryAfter(res.headers.get('retry-after'), deps.now()) : null;
  let ref: string | null = null;
  const verdict = inspect?.(res.status, body, res.headers);
  if (verdict) {
    if (verdict.outcome) outcome = verdict.outcome;
    if (verdict.reason !== undefined) reason = verdict.reason;
    if (verdict.retry_after_ms !== undefined && verdict.retry_after_ms !== null) retryAfter = verdict.retry_after_ms;
    if (verdict.provider_ref !== undefined) ref = verdict.provider_ref;
  }
  const excerpt = excerptOf(body, secrets);
  return {
    outcome,
    reason: outcome === 'delivered' ? null : reason,
    status: res.status,
    retry_after_ms: outcome === 'retryable' ? retryAfter : null,
    message: outcome === 'delivered' ? `delivered (HTTP ${res.status})` : `HTTP ${res.status}${reason ? ` ${reason}` : ''}${excerpt ? `: ${excerpt.slice(0, 120)}` : ''}`,
    excerpt,
    provider_ref: ref,
    duration_ms: took(),
  };
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= BODY_MAX) { await reader.cancel(); break; }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, BODY_MAX));
}

export function failureOfError(err: unknown, timeout: AbortSignal, timeoutMs: number, durationMs: number, secrets: readonly string[]): DeliveryResult {
  const base = { outcome: 'retryable' as const, status: null, retry_after_ms: null, excerpt: '', provider_ref: null, duration_ms: durationMs };
  if (timeout.aborted) return { ...base, reason: 'timeout', message: `no reply within ${timeoutMs} ms` };
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError') return { ...base, reason: 'network', message: 'cancelled before the reply' };
  const detail = e?.cause?.code ?? e?.cause?.message ?? '';
  return { ...base, reason: 'network', message: redact(`${e?.message ?? String(err)}${detail ? `: ${detail}` : ''}`, secrets) };
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
