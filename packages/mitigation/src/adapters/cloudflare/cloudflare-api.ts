// Cloudflare API v4 client: Bearer token, JSON bodies, and the {success, errors, messages, result}
// envelope every endpoint answers with. A reply is good only when it is 2xx AND success is not
// false; otherwise the AdapterError carries Cloudflare's own error messages and codes.
import { CLOUDFLARE_API_BASE, cloudflareErrors, replyReason, type CloudflareEnvelope } from '@breakwater/outbound';
import type { AdapterDeps } from '../../adapter.ts';
import { httpCall, joinUrl, replyError, type HttpRequest } from '../http/http-call.ts';

export const DEFAULT_ENDPOINT = CLOUDFLARE_API_BASE;
export type { CloudflareEnvelope };

export interface CloudflareClient {
  call(method: HttpRequest['method'], path: string, what: string, body?: unknown): Promise<CloudflareEnvelope>;
}

export function envelopeMessage(json: unknown, fallback: string): string {
  return cloudflareErrors(json) ?? replyReason(fallback);
}

export function cloudflareClient(base: string, token: string, deps: AdapterDeps): CloudflareClient {
  const secrets = [token];
  return {
    async call(method, path, what, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const reply = await httpCall(deps, { method, url: joinUrl(base, path), headers, body: body === undefined ? undefined : JSON.stringify(body) }, `cloudflare: ${what}`, secrets);
      const env = (reply.json ?? {}) as CloudflareEnvelope;
      if (reply.status >= 200 && reply.status < 300 && env.success !== false && reply.json !== null) return env;
      // A 2xx with success=false is Cloudflare refusing the request as it is (not worth retrying).
      const status = reply.status >= 200 && reply.status < 300 ? 400 : reply.status;
      throw replyError(`cloudflare: ${what}`, status, envelopeMessage(reply.json, reply.text), secrets);
    },
  };
}
