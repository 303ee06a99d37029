// Every route declares which credentials it takes; this module is the only place that
// turns a request's headers into a Principal, and it applies the per-credential rate limit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { nodes, tokens, users, workspaces, type Db, type NodeRow, type Role } from '@breakwater/db';
import type { Clock } from '../clock.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';
import { UUID_RE } from '../services/object-ref.ts';
import { resolveFlowHost } from '../services/flows/flow-host.ts';
import { FLOW_HOST_HEADER } from '@breakwater/contracts';
import { TtlCache } from '../ttl-cache.ts';
import { BatchLoader } from './batch-loader.ts';
import { constantTimeEqualHex, digest } from './credentials.ts';
import { ROLE_RANK, type Principal } from './principal.ts';
import { RateLimiter } from './rate-limiter.ts';

export const SESSION_COOKIE = 'bw_session';
/** Cookie-authenticated writes must carry this header: a cross-site form cannot set it. */
export const CSRF_HEADER = 'x-breakwater-csrf';

const BEARER = /^Bearer\s+(\S{16,200})\s*$/i;
const NODE_KEY = /^[0-9a-f]{64}$/;

export interface AuthDeps {
  db: Db;
  clock: Clock;
  defaultRateLimit: number;
}

type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

export class Auth {
  readonly #deps: AuthDeps;
  readonly #limiter = new RateLimiter();
  // Short TTLs bound how long a revoked credential can live on in another replica;
  // revocation through this replica clears its entry at once.
  readonly #nodeCache = new TtlCache<NodeRow>(30_000, 200_000);
  readonly #tokenCache = new TtlCache<Principal>(5_000, 10_000);
  readonly #limitCache = new TtlCache<number>(10_000, 10_000);
  readonly #nodeLoader: BatchLoader<NodeRow>;
  readonly #flowCache = new TtlCache<NodeRow>(30_000, 200_000);

  constructor(deps: AuthDeps) {
    this.#deps = deps;
    this.#nodeLoader = new BatchLoader(async (digests) => {
      const rows = await nodes.findNodesByKeyDigests(deps.db, digests);
      return new Map(rows.map((n) => [n.api_key_digest, n]));
    });
  }

  /** REST v1: role-scoped API token, deploy token of scope `operator`, or a dashboard session. */
  api(minRole: Role): Hook {
    return async (req, reply) => {
      const p = (await this.#bearerToken(req, ['api', 'deploy'])) ?? (await this.#session(req));
      if (!p) throw unauthorized('Missing or invalid API token');
      if (p.kind === 'deploy' && p.scope !== 'operator') {
        throw forbidden('This deploy token only registers nodes (POST /api/deploy); use an API token, or a deploy token created with scope "operator"');
      }
      this.#checkRole(p, minRole);
      await this.#limit(p, reply);
      req.principal = p;
    };
  }

  /** Deploy API: only a workspace deploy token (either scope). */
  deploy(): Hook {
    return async (req, reply) => {
      const p = await this.#bearerToken(req, ['deploy']);
      if (!p) throw unauthorized('Invalid deploy token');
      await this.#limit(p, reply);
      req.principal = p;
    };
  }

  /** Dashboard endpoints: a session cookie only. */
  session(minRole: Role): Hook {
    return async (req, reply) => {
      const p = await this.#session(req);
      if (!p) throw unauthorized('Sign in first');
      this.#checkRole(p, minRole);
      await this.#limit(p, reply);
      req.principal = p;
    };
  }

  /** Agent API: node key (Bearer) plus the node's UUID (X-Node-UUID), both must match. */
  node(): Hook {
    return async (req, reply) => {
      const m = BEARER.exec(req.headers.authorization ?? '');
      const uuid = req.headers['x-node-uuid'];
      if (!m || !NODE_KEY.test(m[1]!)) throw unauthorized('Missing or invalid node API key');
      if (typeof uuid !== 'string' || !UUID_RE.test(uuid)) throw unauthorized('Missing or invalid X-Node-UUID header');
      const now = this.#deps.clock.now();
      const d = digest(m[1]!);
      let node = this.#nodeCache.get(d, now);
      if (!node) {
        node = await this.#nodeLoader.get(d);
        if (node) this.#nodeCache.set(d, node, now);
      }
      if (!node || !constantTimeEqualHex(node.api_key_digest, d) || node.uuid !== uuid.toLowerCase()) {
        throw unauthorized('Node API key and X-Node-UUID do not match an active node');
      }
      // A collector's report about one protected host is that host's flow node's (rate-limited as the collector).
      const flowHost = req.headers[FLOW_HOST_HEADER];
      const rateKey = `node:${node.id}`;
      if (flowHost !== undefined) node = await this.#flowHost(node, flowHost, now);
      const p: Principal = { kind: 'node', workspaceId: node.workspace_id, actor: `node:${node.uuid}`, rateKey, node };
      await this.#limit(p, reply);
      req.principal = p;
    };
  }

  /** The flow node a collector names (cached like node keys: created once, then found). */
  async #flowHost(collector: NodeRow, header: string | string[], now: number): Promise<NodeRow> {
    const key = `${collector.id}|${String(header)}`;
    const cached = this.#flowCache.get(key, now);
    if (cached) return cached;
    const node = await resolveFlowHost(this.#deps.db, collector, header, now);
    this.#flowCache.set(key, node, now);
    return node;
  }

  forgetNode(nodeId: number): void {
    this.#nodeCache.deleteWhere((n) => n.id === nodeId);
    this.#flowCache.deleteWhere((n) => n.id === nodeId || n.parent_node_id === nodeId);
  }
  forgetToken(tokenId: string): void {
    this.#tokenCache.deleteWhere((p) => p.kind !== 'node' && p.kind !== 'user' && p.tokenId === tokenId);
  }
  forgetWorkspaceLimit(workspaceId: string): void {
    this.#limitCache.delete(workspaceId);
  }

  async #bearerToken(req: FastifyRequest, kinds: ('api' | 'deploy')[]): Promise<Principal | null> {
    const header = req.headers.authorization;
    if (!header) return null;
    const m = BEARER.exec(header);
    if (!m) throw unauthorized('Authorization header must be "Bearer <token>"');
    const secret = m[1]!;
    const now = this.#deps.clock.now();
    const d = digest(secret);
    let p = this.#tokenCache.get(d, now);
    if (!p) {
      const row = await tokens.findTokenByDigest(this.#deps.db, d);
      if (!row || row.revoked_at !== null || !constantTimeEqualHex(row.digest, d)) throw unauthorized('Invalid, revoked or unknown token');
      const base = { workspaceId: row.workspace_id, actor: `token:${row.name}`, rateKey: `token:${row.id}`, tokenId: row.id, role: row.role };
      // A deploy token without a scope can only be a bug: it gets the narrower one.
      p = row.kind === 'deploy' ? { ...base, kind: 'deploy', scope: row.scope ?? 'register' } : { ...base, kind: 'api' };
      this.#tokenCache.set(d, p, now);
      void tokens.touchToken(this.#deps.db, row.id, now).catch(() => undefined);
    }
    if (p.kind === 'node' || p.kind === 'user' || !kinds.includes(p.kind)) {
      throw unauthorized(kinds.length === 1 ? `This endpoint takes a ${kinds[0]} token` : 'Invalid token for this endpoint');
    }
    return p;
  }

  async #session(req: FastifyRequest): Promise<Principal | null> {
    const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!secret) return null;
    const now = this.#deps.clock.now();
    const d = digest(secret);
    const s = await tokens.findSessionByDigest(this.#deps.db, d);
    if (!s || s.expires_at <= now || !constantTimeEqualHex(s.digest, d)) throw unauthorized('Session expired; sign in again');
    const user = await users.getUser(this.#deps.db, s.workspace_id, s.user_id);
    if (!user || user.disabled_at !== null) throw unauthorized('Account disabled');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.headers[CSRF_HEADER] === undefined) {
      throw forbidden(`Cookie-authenticated changes need the ${CSRF_HEADER} header`);
    }
    return {
      kind: 'user', workspaceId: user.workspace_id, actor: `user:${user.email}`, rateKey: `user:${user.id}`,
      userId: user.id, role: user.role, sessionDigest: d,
    };
  }

  #checkRole(p: Principal, min: Role): void {
    if (p.kind === 'node') throw forbidden('Node keys cannot call this endpoint');
    if (ROLE_RANK[p.role] < ROLE_RANK[min]) throw forbidden(`This action needs the ${min} role; this credential has ${p.role}`);
  }

  async #limit(p: Principal, reply: FastifyReply): Promise<void> {
    const now = this.#deps.clock.now();
    let limit = this.#limitCache.get(p.workspaceId, now);
    if (limit === undefined) {
      const ws = await workspaces.getWorkspace(this.#deps.db, p.workspaceId);
      limit = ws?.rate_limit_per_min ?? this.#deps.defaultRateLimit;
      this.#limitCache.set(p.workspaceId, limit, now);
    }
    const d = this.#limiter.take(p.rateKey, limit, now);
    reply.header('x-ratelimit-limit', d.limit);
    reply.header('x-ratelimit-remaining', d.remaining);
    reply.header('x-ratelimit-reset', d.resetSeconds);
    if (!d.allowed) {
      reply.header('retry-after', d.resetSeconds);
      throw new AppError(429, 'rate_limited', `Rate limit of ${d.limit} requests per minute exceeded; retry in ${d.resetSeconds} s`);
    }
  }
}

/** A cookie's value; one that is not valid percent-encoding is a bad credential (401), not a 500. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        throw unauthorized(`The ${name} cookie is not valid percent-encoding; sign in again`);
      }
    }
  }
  return undefined;
}
