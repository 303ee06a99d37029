// Cloudflare API v4's reply envelope, read the same way by every caller of that API (the mitigation
// adapter's Magic Firewall and prefix calls, the two Cloudflare scrubbing types):
// {success, errors: [{code, message}], messages, result}. A reply is good only when it is 2xx and
// success is not false; a refusal is told in Cloudflare's own short words, never its whole body.
// https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/
export const CLOUDFLARE_API_BASE = 'https://api.cloudflare.com/client/v4';

export interface CloudflareEnvelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: unknown;
  result_info?: { page?: number; per_page?: number; total_pages?: number; count?: number; total_count?: number };
}

/** "Authentication error (code 10000); …" from the envelope's errors, or null when it has none. */
export function cloudflareErrors(json: unknown): string | null {
  const errs = (json as CloudflareEnvelope | null)?.errors;
  if (!Array.isArray(errs) || errs.length === 0) return null;
  return errs.map((e) => `${e.message ?? 'error'}${e.code !== undefined ? ` (code ${e.code})` : ''}`).join('; ');
}
