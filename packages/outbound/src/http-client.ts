// One outbound HTTP request under the policy: the URL's host checked, every address a name
// resolves to checked inside the connection's own lookup (so the socket goes to the address that
// was checked, and a DNS answer that changes between check and connect cannot switch it), no
// redirects followed, a deadline over connect + request + reply, and a capped read.
import type { LookupAddress } from 'node:dns';
import type { OutboundReach } from '@breakwater/contracts';
import { Agent, fetch as undiciFetch } from 'undici';
import { readCapped } from './capped-read.ts';
import { OutboundRefused, refusalOf, refusalOfHost, systemResolver, type Resolver } from './policy.ts';
import { redact } from './redact.ts';

export type FetchLike = (input: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

export interface OutboundDeps {
  /** Which non-public ranges this caller may reach (from the operator's config for its type). */
  reach: readonly OutboundReach[];
  /** Deadline for one request, ms. */
  timeoutMs: number;
  /** undici's fetch unless a test wraps one; it gets the pinning dispatcher in `init.dispatcher`. */
  fetch?: FetchLike;
  resolve?: Resolver;
  userAgent?: string;
}

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Cancels the request early (server shutdown); the deadline applies anyway. */
  signal?: AbortSignal;
}

export interface OutboundReply {
  status: number;
  headers: Headers;
  /** The body, at most `maxBytes` of it: for the caller to read, never to show. */
  text: string;
  /** The body parsed as JSON, or null. */
  json: unknown;
}

export type OutboundFailure = 'refused' | 'bad_url' | 'timeout' | 'cancelled' | 'network';

/** No reply came. `refused` and `bad_url` cannot succeed later; the others may. */
export class OutboundError extends Error {
  readonly kind: OutboundFailure;
  readonly retryable: boolean;
  constructor(kind: OutboundFailure, message: string) {
    super(message);
    this.name = 'OutboundError';
    this.kind = kind;
    this.retryable = kind === 'timeout' || kind === 'network' || kind === 'cancelled';
  }
}

export const DEFAULT_MAX_BYTES = 64 * 1024;

type LookupCallback = (err: Error | null, address?: string | LookupAddress[], family?: number) => void;

/** net.connect's lookup: resolves, refuses when any address is out of reach, hands back only checked ones. */
export function pinnedLookup(reach: readonly OutboundReach[], resolve: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, cb: LookupCallback): void => {
    resolve(hostname).then((all) => {
      for (const a of all) {
        const refused = refusalOf(a.address, reach, hostname);
        if (refused) return cb(refused);
      }
      const fam = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
      const list = fam ? all.filter((a) => a.family === fam) : all;
      if (list.length === 0) return cb(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }));
      return options.all ? cb(null, list) : cb(null, list[0]!.address, list[0]!.family);
    }, (err: Error) => cb(err));
  };
}

/** The policy refusal somewhere in an error's causes, if that is what stopped the request. */
function refusalIn(err: unknown, depth = 0): OutboundRefused | null {
  if (!err || typeof err !== 'object' || depth > 4) return null;
  if (err instanceof OutboundRefused || (err as { code?: unknown }).code === 'EOUTBOUNDREFUSED') return err as OutboundRefused;
  const e = err as { cause?: unknown; errors?: unknown[] };
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const r = refusalIn(inner, depth + 1);
    if (r) return r;
  }
  return null;
}

/**
 * Sends one request. Resolves with the reply whatever its status; rejects with an OutboundError
 * when no reply came. Messages never carry `secrets` (a proxy may echo a token in an error).
 */
export async function sendHttp(deps: OutboundDeps, req: OutboundRequest, opts: { maxBytes?: number; secrets?: readonly string[] } = {}): Promise<OutboundReply> {
  const secrets = opts.secrets ?? [];
  if (!URL.canParse(req.url)) throw new OutboundError('bad_url', 'the URL is not valid');
  const u = new URL(req.url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OutboundError('bad_url', 'the URL must be http:// or https://');
  const direct = refusalOfHost(u.hostname, deps.reach);
  if (direct) throw new OutboundError('refused', `refused: ${direct.message}`);
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  const agent = new Agent({ connect: { lookup: pinnedLookup(deps.reach, deps.resolve) as never } });
  const doFetch: FetchLike = deps.fetch ?? (undiciFetch as unknown as FetchLike);
  try {
    const res = await doFetch(req.url, {
      method: req.method,
      headers: { ...(deps.userAgent ? { 'user-agent': deps.userAgent } : {}), ...req.headers },
      body: req.body,
      signal,
      // A redirect could lead anywhere, the credential with it: it is a reply like any other.
      redirect: 'manual',
      dispatcher: agent,
    });
    const text = await readCapped(res, opts.maxBytes ?? DEFAULT_MAX_BYTES);
    let json: unknown = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, json };
  } catch (err) {
    const refused = refusalIn(err);
    if (refused) throw new OutboundError('refused', `refused: ${refused.message}`);
    if (timeout.aborted) throw new OutboundError('timeout', `no reply within ${deps.timeoutMs} ms`);
    if (req.signal?.aborted) throw new OutboundError('cancelled', 'cancelled before the reply');
    const e = err as { message?: string; cause?: { code?: string; message?: string } };
    const detail = e?.cause?.code ?? e?.cause?.message ?? '';
    throw new OutboundError('network', redact(`${e?.message ?? String(err)}${detail ? ` (${detail})` : ''}`, secrets));
  } finally {
    agent.destroy().catch(() => undefined);
  }
}
