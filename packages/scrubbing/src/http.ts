// One provider request through the outbound kit (policy, deadline, capped read), with what every
// provider needs on top: a 429 waited out when its Retry-After is within bounds, and every failure
// turned into a ScrubbingError whose message holds the status and at most a short sanitised error
// field of the provider — never its body, never a secret.
import { OutboundError, joinUrl, redact, sanitiseReason, reasonField, sendHttp, serialQueue, type OutboundReply, type OutboundRequest } from '@breakwater/outbound';
import type { ScrubbingErrorKind } from '@breakwater/contracts';
import { ScrubbingError } from './errors.ts';
import type { ScrubbingDeps } from './provider.ts';

export type ProviderRequest = Omit<OutboundRequest, 'signal'>;
export type ProviderReply = OutboundReply;

export const USER_AGENT = 'Breakwater-Scrubbing/0.1';
const BODY_MAX = 1024 * 1024;
export const DEFAULT_MAX_RETRY_AFTER_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 2;
/** When a 429 names no Retry-After, how long the error says to wait. */
const RETRY_AFTER_UNSAID_MS = 1_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms: delta-seconds or an HTTP date (against `now`); null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The kind a non-2xx status means. */
export function kindOfStatus(status: number): ScrubbingErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'provider';
  return 'refused';
}

/**
 * The ScrubbingError for a reply that is not a success: `what` (e.g. "cloudflare: advertise
 * 203.0.113.0/24"), the status and the provider's short reason (from its error field, or `reason`
 * when the caller read it out of a provider envelope).
 */
export function replyFailure(what: string, reply: ProviderReply, secrets: readonly string[], reason?: string | null, deps?: Pick<ScrubbingDeps, 'now'>): ScrubbingError {
  const why = sanitiseReason(reason ?? reasonField(reply.json) ?? '', secrets);
  const kind = kindOfStatus(reply.status);
  const ra = kind === 'rate_limited' ? retryAfterMs(reply.headers.get('retry-after'), deps?.now() ?? Date.now()) ?? RETRY_AFTER_UNSAID_MS : undefined;
  const msg = redact(`${what}: HTTP ${reply.status}${why ? `: ${why}` : ''}${ra !== undefined ? ` (retry after ${Math.ceil(ra / 1000)} s)` : ''}`, secrets);
  return new ScrubbingError(kind, msg, { status: reply.status, retryAfterMs: ra });
}

/**
 * Sends one request; resolves with the reply whatever its status except a 429 within bounds, which
 * is waited out and sent again. Rejects with a ScrubbingError when no reply came (timeout,
 * unreachable; `config` when the outbound policy refused the destination, naming config.api_url),
 * or when 429s go on past the bounds (kind rate_limited, retryAfterMs set).
 */
export async function providerCall(deps: ScrubbingDeps, req: ProviderRequest | (() => ProviderRequest), what: string, secrets: readonly string[]): Promise<ProviderReply> {
  const maxWait = deps.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const maxRetries = deps.maxRetries ?? DEFAULT_MAX_RETRIES;
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    // Signed requests are built anew for each attempt: their timestamp must be fresh.
    const r = typeof req === 'function' ? req() : req;
    const started = deps.now();
    let reply: ProviderReply;
    try {
      reply = await sendHttp({ reach: deps.reach ?? [], timeoutMs: deps.timeoutMs, fetch: deps.fetch, resolve: deps.resolve, userAgent: USER_AGENT }, r, { maxBytes: BODY_MAX, secrets });
    } catch (err) {
      const e = err instanceof OutboundError ? err : null;
      const msg = redact(`${what}: ${err instanceof Error ? err.message : String(err)}`, secrets);
      deps.log?.('scrubbing request failed', { what: redact(what, secrets), error: msg });
      if (e && (e.kind === 'refused' || e.kind === 'bad_url')) throw new ScrubbingError('config', `config.api_url: ${msg}`, { key: 'config.api_url' });
      throw new ScrubbingError(e?.kind === 'timeout' ? 'timeout' : 'unreachable', msg);
    }
    deps.log?.('scrubbing request', { what: redact(what, secrets), method: r.method, status: reply.status, ms: deps.now() - started });
    if (reply.status !== 429) return reply;
    // Waited out only when the provider said when: without Retry-After the caller schedules the retry.
    const wait = retryAfterMs(reply.headers.get('retry-after'), deps.now());
    if (wait === null || attempt >= maxRetries || wait > maxWait) throw replyFailure(what, reply, secrets, null, deps);
    await sleep(wait);
  }
}

// joinUrl and serialQueue live in outbound, shared with the mitigation adapters.
export { joinUrl, serialQueue };

/** Milliseconds since `started`, never negative. */
export const elapsed = (deps: Pick<ScrubbingDeps, 'now'>, started: number) => Math.max(0, deps.now() - started);
