// One HTTP request for the HTTP adapters (Cloudflare, webhook, Radware, F5), through the outbound
// kit: under the adapter's deadline and the outbound policy for its type, with every transport
// failure turned into an AdapterError (retryable unless the policy refused the destination) and
// every text that may reach a log or the API stripped of the adapter's secrets.
import { OutboundError, joinUrl, redact, sanitiseReason, reasonField, replyReason, sendHttp, serialQueue, type OutboundRequest } from '@breakwater/outbound';
import { AdapterError, type AdapterDeps } from '../../adapter.ts';

export type HttpRequest = Omit<OutboundRequest, 'signal'>;

export interface HttpReply {
  status: number;
  headers: Headers;
  /** For the adapter to read, never to show. */
  text: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
}

/** Appliances list whole address tables: more room than a notification reply. */
const BODY_MAX = 1024 * 1024;

export const USER_AGENT = 'Breakwater-Mitigation/0.1';

export { redact };

/** 401/403 mean the credential is wrong: retrying the same call cannot help. 408/429/5xx may pass later. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends one request. Resolves with the reply whatever its status (the caller reads the vendor's
 * envelope); rejects with an AdapterError naming `what` when no reply came: retryable when the
 * far side was not reached (refused, reset, DNS, TLS, the deadline), permanent when the outbound
 * policy refused the destination.
 */
export async function httpCall(deps: Pick<AdapterDeps, 'fetch' | 'timeoutMs' | 'reach' | 'resolve'>, req: HttpRequest, what: string, secrets: readonly string[]): Promise<HttpReply> {
  try {
    return await sendHttp({ reach: deps.reach ?? [], timeoutMs: deps.timeoutMs, fetch: deps.fetch, resolve: deps.resolve, userAgent: USER_AGENT }, req, { maxBytes: BODY_MAX, secrets });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new AdapterError(redact(`${what}: ${msg}`, secrets), err instanceof OutboundError ? err.retryable : true);
  }
}

/** The AdapterError for a reply that is not a success: the status and a short sanitised reason, never the body. */
export function replyError(what: string, status: number, vendorMessage: string, secrets: readonly string[]): AdapterError {
  const msg = sanitiseReason(vendorMessage, secrets);
  return new AdapterError(redact(`${what}: HTTP ${status}${msg ? `: ${msg}` : ''}`, secrets), retryableStatus(status));
}

/** The vendor's own words for a refusal: a JSON error field (F5, Radware), a bare error code, else nothing. */
export function replyMessage(r: HttpReply): string {
  return reasonField(r.json) ?? replyReason(r.text);
}

// joinUrl and serialQueue live in outbound, shared with the scrubbing providers.
export { joinUrl, serialQueue };
