// Cloudflare API v4 as both Cloudflare types use it: Bearer token, JSON bodies, and the
// {success, errors, messages, result} envelope (read by outbound's cloudflareErrors, as the
// mitigation adapter reads it). A reply is good only when it is 2xx and success is
// not false; a refusal carries Cloudflare's own short words ("Authentication error (code 10000)").
// https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/
// https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/
import type { ScrubbingTestResult } from '@breakwater/contracts';
import { CLOUDFLARE_API_BASE, cloudflareErrors, type CloudflareEnvelope } from '@breakwater/outbound';
import { ScrubbingError } from '../errors.ts';
import { testFailure, testOk } from '../test-result.ts';
import { elapsed, joinUrl, providerCall, replyFailure } from '../http.ts';
import type { ScrubbingDeps } from '../provider.ts';

export const CLOUDFLARE_API = CLOUDFLARE_API_BASE;

export type CloudflareCall = (method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE', path: string, what: string, body?: unknown) => Promise<unknown>;

/** One call; resolves with `result`. `what` names the action in errors ("cloudflare: advertise 203.0.113.0/24"). */
export function cloudflareApi(deps: ScrubbingDeps, base: string, token: string): CloudflareCall {
  const secrets = [token];
  return async (method, path, what, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const label = `cloudflare: ${what}`;
    const reply = await providerCall(deps, { method, url: joinUrl(base, path), headers, body: body === undefined ? undefined : JSON.stringify(body) }, label, secrets);
    const env = reply.json as CloudflareEnvelope | null;
    if (reply.status >= 200 && reply.status < 300 && env && env.success !== false) return env.result;
    if (reply.status >= 200 && reply.status < 300) {
      // 2xx with success=false (or no envelope): Cloudflare refusing the request as it is.
      throw new ScrubbingError('refused', `${label}: ${cloudflareErrors(env) ?? 'the reply is not a Cloudflare envelope'}`.slice(0, 300), { status: reply.status });
    }
    throw replyFailure(label, reply, secrets, cloudflareErrors(env), deps);
  };
}

/** GET /user/tokens/verify: the token is known and active. */
export async function verifyToken(deps: ScrubbingDeps, api: CloudflareCall): Promise<ScrubbingTestResult> {
  const started = deps.now();
  try {
    const r = (await api('GET', '/user/tokens/verify', 'verify the API token')) as { status?: string } | null;
    if (r?.status !== 'active') {
      return { ok: false, latency_ms: elapsed(deps, started), health: 'auth_failed', error: { code: 'scrubbing_auth', message: `cloudflare: the API token is ${JSON.stringify(String(r?.status ?? 'unknown').slice(0, 20))}, not active` } };
    }
    return testOk(deps, started);
  } catch (err) {
    return testFailure(deps, started, err);
  }
}
