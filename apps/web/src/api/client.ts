// The one way the dashboard talks to the server: same-origin fetch with the session cookie, the
// envelope unwrapped, and API errors kept whole so forms can show the message by its field.
import type { BodyOf, DataOf, Method, RouteOf, Target } from './routes.ts';

export interface Page<T> {
  data: T;
  meta?: { total: number; limit: number; offset: number };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The field the server named ("email: must be a valid email" → "email"), if any. */
  readonly field: string | null;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = fieldOf(message);
  }
}

export function fieldOf(message: string): string | null {
  const m = /^(?:query\.|params\.)?([A-Za-z_][\w]*(?:\.[\w]+)*): /.exec(message);
  return m && m[1] !== 'body' ? m[1]! : null;
}

/** Told when the server says the session is gone, so the app can show the sign-in page. */
export const sessionEvents = new EventTarget();

// Cookie-authenticated writes must carry this header; a cross-site form cannot set it.
const CSRF = { 'x-breakwater-csrf': '1' };

export async function request<T>(method: string, path: string, body?: unknown): Promise<Page<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, CSRF);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server cannot be reached; retrying when it is back');
  }
  const json = (await res.json().catch(() => null)) as { ok?: boolean; data?: T; meta?: Page<T>['meta']; error?: { code: string; message: string } } | null;
  if (!res.ok || !json || json.ok === false) {
    const err = new ApiError(res.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `${res.status} ${res.statusText}`);
    if (res.status === 401 && !path.endsWith('/login')) sessionEvents.dispatchEvent(new Event('signed-out'));
    throw err;
  }
  return { data: json.data as T, ...(json.meta ? { meta: json.meta } : {}) };
}

/**
 * The fleet agents API (/api/agents, fleet-agents-api.md) answers with its shapes as they are, not
 * in the envelope; errors still come as the envelope. Same cookie, CSRF header and error handling.
 */
export async function requestBare<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, CSRF);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server cannot be reached; retrying when it is back');
  }
  const json = (await res.json().catch(() => null)) as (T & { ok?: boolean; error?: { code: string; message: string } }) | null;
  if (!res.ok || json === null) {
    const err = new ApiError(res.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `${res.status} ${res.statusText}`);
    if (res.status === 401) sessionEvents.dispatchEvent(new Event('signed-out'));
    throw err;
  }
  return json;
}

type Data<M extends Method, T> = DataOf<M, RouteOf<T>>;
/** The body argument: required when the route reads one; a POST without one still sends `{}`. */
type BodyArg<M extends Method, T> = [BodyOf<M, RouteOf<T>>] extends [never] ? [] : [body: BodyOf<M, RouteOf<T>>];

/** Calls typed by their path (see routes.ts): `api.get('/api/dash/me')` is a Me. */
export const api = {
  get: async <T extends Target<'GET'>>(path: T) => (await request<Data<'GET', T>>('GET', path)).data,
  page: <T extends Target<'GET'>>(path: T) => request<Data<'GET', T>>('GET', path),
  post: async <T extends Target<'POST'>>(path: T, ...body: BodyArg<'POST', T>) => (await request<Data<'POST', T>>('POST', path, body[0] ?? {})).data,
  patch: async <T extends Target<'PATCH'>>(path: T, ...body: BodyArg<'PATCH', T>) => (await request<Data<'PATCH', T>>('PATCH', path, body[0])).data,
  put: async <T extends Target<'PUT'>>(path: T, ...body: BodyArg<'PUT', T>) => (await request<Data<'PUT', T>>('PUT', path, body[0])).data,
  del: async <T extends Target<'DELETE'>>(path: T) => (await request<Data<'DELETE', T>>('DELETE', path)).data,
};
