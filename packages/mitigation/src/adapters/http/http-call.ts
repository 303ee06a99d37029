// One HTTP request for the HTTP adapters (Cloudflare, webhook, Radware, F5): under the adapter's
// deadline, with every transport failure turned into a retryable AdapterError and every text that
// may reach a log or the API stripped of the adapter's secrets (a proxy can echo a header back).
import { AdapterError, type AdapterDeps } from '../../adapter.ts';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as is; callers that send JSON set content-type themselves. */
  body?: string;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
}

const BODY_MAX = 1024 * 1024;

export const USER_AGENT = 'Breakwater-Mitigation/0.1';

/** Removes each secret (and its URL-encoded form) from a text shown to people. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('[redacted]');
  }
  return out;
}

/** 401/403 mean the credential is wrong: retrying the same call cannot help. 408/429/5xx may pass later. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends one request. Resolves with the reply whatever its status (the caller reads the vendor's
 * envelope); rejects only with a retryable AdapterError when no reply came (refused, reset, DNS,
 * TLS, or the deadline), naming `what` so the operator sees which step failed.
 */
export async function httpCall(deps: Pick<AdapterDeps, 'fetch' | 'timeoutMs'>, req: HttpRequest, what: string, secrets: readonly string[]): Promise<HttpReply> {
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  try {
    const res = await deps.fetch(req.url, {
      method: req.method,
      headers: { 'user-agent': USER_AGENT, ...req.headers },
      body: req.body,
      signal: timeout,
      // A management API that redirects is misconfigured; following it could send the credential elsewhere.
      redirect: 'manual',
    });
    const text = await readCapped(res);
    let json: unknown = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: the caller reports the status */ }
    return { status: res.status, headers: res.headers, text, json };
  } catch (err) {
    if (timeout.aborted) throw new AdapterError(`${what}: no reply within ${deps.timeoutMs} ms`, true);
    const e = err as { message?: string; cause?: { code?: string; message?: string } };
    const detail = e?.cause?.code ?? e?.cause?.message ?? '';
    throw new AdapterError(redact(`${what}: ${e?.message ?? String(err)}${detail ? ` (${detail})` : ''}`, secrets), true);
  }
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

/** The AdapterError for a reply that is not a success: status, the vendor's own message, secrets removed. */
export function replyError(what: string, status: number, vendorMessage: string, secrets: readonly string[]): AdapterError {
  const msg = vendorMessage.replace(/\s+/g, ' ').trim().slice(0, 300);
  return new AdapterError(redact(`${what}: HTTP ${status}${msg ? `: ${msg}` : ''}`, secrets), retryableStatus(status));
}

/** base + path, without doubling or dropping the slash between them. */
/** The vendor's own words for a refusal: a JSON `message` (F5, Radware), else the start of the body. */
export function replyMessage(r: HttpReply): string {
  const m = (r.json as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : r.text.slice(0, 200);
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Runs operations one after another. The HTTP adapters read, then write (is the entry there? add
 * it): two overlapping announces of one rule would otherwise both see it absent and add it twice.
 */
export function serialQueue(): <T>(op: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(op: () => Promise<T>) => {
    const run = tail.then(op, op);
    tail = run.catch(() => undefined);
    return run;
  };
}
