// What of a reply may be shown to people: its status and a short reason the provider gave in a
// JSON error field (or a bare error code such as Slack's "invalid_token"), never the body itself —
// a body can hold anything the far side (or whatever answered in its place) wants to echo.
import { redact } from './redact.ts';

export const REASON_MAX = 120;

const pick = (v: unknown): string | null => {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['message', 'description', 'detail', 'title', 'code']) if (typeof o[k] === 'string') return o[k];
  }
  return null;
};

/** The provider's own short words for a refusal, from the fields providers use, else null. */
export function reasonField(json: unknown): string | null {
  if (!json || typeof json !== 'object') return null;
  const o = json as Record<string, unknown>;
  for (const k of ['error', 'message', 'description', 'error_description', 'detail', 'title']) {
    const v = pick(o[k]);
    if (v) return v;
  }
  for (const k of ['errors', 'error_messages']) {
    const list = o[k];
    if (Array.isArray(list) && list.length > 0) {
      const v = pick(list[0]);
      if (v) return v;
    }
  }
  return null;
}

/** Printable text only (no control, format or bidi characters), one line, at most REASON_MAX characters. */
export function sanitiseReason(text: string, secrets: readonly string[] = []): string {
  const clean = redact(text, secrets).replace(/[\p{C}]/gu, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > REASON_MAX ? `${clean.slice(0, REASON_MAX - 1)}…` : clean;
}

/** The short, sanitised reason of a reply body: a JSON error field, or a bare error code; '' otherwise. */
export function replyReason(body: string, secrets: readonly string[] = []): string {
  const t = body.trim();
  let json: unknown = null;
  try { json = t ? JSON.parse(t) : null; } catch { /* not JSON */ }
  const field = reasonField(json);
  if (field) return sanitiseReason(field, secrets);
  if (/^[A-Za-z][A-Za-z0-9_.-]{0,59}$/.test(t)) return sanitiseReason(t, secrets);
  return '';
}

/** "HTTP 404" or "HTTP 404: <reason>". */
export function statusLine(status: number, body: string, secrets: readonly string[] = []): string {
  const reason = replyReason(body, secrets);
  return `HTTP ${status}${reason ? `: ${reason}` : ''}`;
}
