// The OVHcloud API as its documentation describes a signed call:
//   X-Ovh-Application: the application key      X-Ovh-Consumer: the consumer key
//   X-Ovh-Timestamp:   the API's unix time (GET /auth/time gives it; we keep the offset from our clock)
//   X-Ovh-Signature:   "$1$" + SHA1_HEX(AS + "+" + CK + "+" + METHOD + "+" + FULL_URL + "+" + BODY + "+" + TIMESTAMP)
// The application secret never leaves this process; the consumer key is sent, so both are secrets.
// Errors are {"message": …} (older ones also carry errorCode and httpCode).
// https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784
// https://eu.api.ovh.com/console/?section=%2Fauth&branch=v1 (GET /auth/time, GET /auth/currentCredential)
import { createHash } from 'node:crypto';
import { ScrubbingError } from '../errors.ts';
import { joinUrl, providerCall, replyFailure, type ProviderReply } from '../http.ts';
import type { ScrubbingDeps } from '../provider.ts';

export const OVH_ENDPOINTS = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
} as const;

/** "$1$" + SHA1 hex of the documented material. */
export function ovhSignature(appSecret: string, consumerKey: string, method: string, url: string, body: string, timestamp: number): string {
  return `$1$${createHash('sha1').update(`${appSecret}+${consumerKey}+${method}+${url}+${body}+${timestamp}`).digest('hex')}`;
}

/** Error codes OVH uses for a key, credential or signature it does not accept. */
const AUTH_CODES = new Set(['INVALID_KEY', 'INVALID_CREDENTIAL', 'INVALID_SIGNATURE', 'NOT_CREDENTIAL', 'NOT_GRANTED_CALL', 'QUERY_TIME_OUT']);

export interface OvhKeys { applicationKey: string; applicationSecret: string; consumerKey: string }
export type OvhCall = (method: 'GET' | 'POST' | 'DELETE', path: string, what: string, body?: unknown) => Promise<ProviderReply>;

/**
 * Signed calls. Resolves with the reply for 2xx and 404 (the caller reads "not there" itself);
 * rejects with a ScrubbingError for anything else.
 */
export function ovhApi(deps: ScrubbingDeps, base: string, keys: OvhKeys): OvhCall {
  const secrets = [keys.applicationSecret, keys.consumerKey];
  /** API time minus ours, seconds: read once from /auth/time, as the documentation advises. */
  let offset: number | null = null;

  async function apiTime(): Promise<number> {
    if (offset === null) {
      const reply = await providerCall(deps, { method: 'GET', url: joinUrl(base, '/auth/time'), headers: { accept: 'application/json' } }, 'ovh: read the API time', secrets);
      if (reply.status !== 200 || typeof reply.json !== 'number') throw replyFailure('ovh: read the API time', reply, secrets, null, deps);
      offset = reply.json - Math.floor(deps.now() / 1000);
    }
    return Math.floor(deps.now() / 1000) + offset;
  }

  return async (method, path, what, body) => {
    const label = `ovh: ${what}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const url = joinUrl(base, path);
    await apiTime();
    const reply = await providerCall(deps, () => {
      const ts = Math.floor(deps.now() / 1000) + (offset ?? 0);
      const headers: Record<string, string> = {
        accept: 'application/json',
        'x-ovh-application': keys.applicationKey,
        'x-ovh-consumer': keys.consumerKey,
        'x-ovh-timestamp': String(ts),
        'x-ovh-signature': ovhSignature(keys.applicationSecret, keys.consumerKey, method, url, text, ts),
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return { method, url, headers, body: body === undefined ? undefined : text };
    }, label, secrets);
    if ((reply.status >= 200 && reply.status < 300) || reply.status === 404) return reply;
    const code = (reply.json as { errorCode?: unknown } | null)?.errorCode;
    if (typeof code === 'string' && AUTH_CODES.has(code) && reply.status < 500) {
      const f = replyFailure(label, reply, secrets, null, deps);
      throw new ScrubbingError('auth', f.message, { status: reply.status });
    }
    throw replyFailure(label, reply, secrets, null, deps);
  };
}
