// Session-authenticated endpoints for the dashboard (rest-api.md: /api/dash/*).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LoginBody, Me, Ok, SignedOut, TokenCreateBody, TokenCreated, TokenInfo, TokenRevoked, UserCreateBody, UserInfo, errors } from '@breakwater/contracts';
import { audit, tokens, users } from '@breakwater/db';
import { SESSION_COOKIE, readCookie } from '../auth/auth.ts';
import { digest, hashPassword, newSecret, verifyPassword } from '../auth/credentials.ts';
import { LoginGuard } from '../auth/login-guard.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf, userOf } from '../auth/principal.ts';
import { AppError, badRequest, conflict, notFound, unauthorized } from '../errors.ts';
import { createToken } from '../services/workspace/bootstrap.ts';
import { iso, isoOrNull } from '../services/present.ts';
import { SESSION_SECURITY as security } from './security.ts';

const tags = ['dashboard'];

export async function dashRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const guard = new LoginGuard(ctx.config.login);
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${ctx.config.secureCookies ? '; Secure' : ''}`;

  r.post('/login', {
    schema: {
      tags, summary: 'Sign in (sets the session cookie)',
      body: LoginBody,
      response: { 200: Ok(Me), ...errors(400, 401, 429, 503) },
    },
  }, async (req, reply) => {
    const { email, password } = req.body;
    const refused = guard.refusal(email, req.ip, ctx.clock.now());
    if (refused) {
      void reply.header('retry-after', refused.retryAfterSeconds);
      throw new AppError(429, 'too_many_attempts', refused.message);
    }
    const user = await users.findUserByEmail(ctx.db, email);
    // An unknown email is verified against a real hash too: same cost, same answer.
    const ok = await guard.tryHash(async () => verifyPassword(password, user?.password_hash ?? (await guard.dummyHash())));
    if (ok === undefined) {
      void reply.header('retry-after', 1);
      throw new AppError(503, 'busy', 'Too many sign-ins in progress; try again in 1 s');
    }
    if (!user || !ok || user.disabled_at !== null) {
      guard.failed(email, req.ip, ctx.clock.now());
      throw unauthorized('Wrong email or password');
    }
    guard.succeeded(email);
    const secret = newSecret('session');
    const now = ctx.clock.now();
    await tokens.insertSession(ctx.db, {
      id: randomUUID(), digest: digest(secret), user_id: user.id, workspace_id: user.workspace_id, created_at: now, expires_at: now + ctx.config.sessionTtlSeconds * 1000,
    });
    await audit.appendAudit(ctx.db, { workspaceId: user.workspace_id, actor: `user:${user.email}`, action: 'session.login', target: user.id, requestId: req.id, at: now });
    void reply.header('set-cookie', cookie(secret, ctx.config.sessionTtlSeconds));
    return { ok: true as const, data: { user_id: user.id, email: user.email, name: user.name, role: user.role, workspace_id: user.workspace_id } };
  });

  r.post('/logout', { schema: { tags, summary: 'Sign out', response: { 200: Ok(SignedOut) } } }, async (req, reply) => {
    let secret: string | undefined;
    try {
      secret = readCookie(req.headers.cookie, SESSION_COOKIE);
    } catch {
      secret = undefined; // an unreadable cookie is no session: clear it all the same
    }
    if (secret) await tokens.deleteSession(ctx.db, digest(secret));
    void reply.header('set-cookie', cookie('', 0));
    return { ok: true as const, data: { signed_out: true } };
  });

  r.get('/me', { onRequest: ctx.auth.session('viewer'), schema: { tags, security, response: { 200: Ok(Me), ...errors(401) } } }, async (req) => {
    const p = userOf(req);
    const u = await users.getUser(ctx.db, p.workspaceId, p.userId);
    if (!u) throw unauthorized();
    return { ok: true as const, data: { user_id: u.id, email: u.email, name: u.name, role: u.role, workspace_id: u.workspace_id } };
  });

  r.get('/tokens', { onRequest: ctx.auth.session('admin'), schema: { tags, security, summary: 'API and deploy tokens (secrets are never shown again)', response: { 200: Ok(Type.Array(TokenInfo)), ...errors(401, 403) } } }, async (req) => {
    const rows = await tokens.listTokens(ctx.db, principalOf(req).workspaceId);
    return {
      ok: true as const,
      data: rows.map((t) => ({ id: t.id, kind: t.kind, name: t.name, role: t.role, scope: t.scope, prefix: t.prefix, created_at: iso(t.created_at), last_used_at: isoOrNull(t.last_used_at), revoked_at: isoOrNull(t.revoked_at) })),
    };
  });

  r.post('/tokens', {
    onRequest: ctx.auth.session('admin'),
    schema: {
      tags, security, summary: 'Create a token; its secret is in this response only',
      body: TokenCreateBody,
      response: { 201: Ok(TokenCreated), ...errors(400, 401, 403) },
    },
  }, async (req, reply) => {
    const { kind } = req.body;
    if (kind === 'api' && req.body.scope !== undefined) throw badRequest('scope: only deploy tokens have a scope; an API token has a role');
    const role = kind === 'deploy' ? 'operator' : (req.body.role ?? 'viewer');
    const scope = kind === 'deploy' ? (req.body.scope ?? 'register') : null;
    const t = await createToken(ctx.db, ctx.clock, principalOf(req).workspaceId, kind, req.body.name, role, principalOf(req).actor, scope ?? undefined);
    await recordAudit(ctx, req, 'token.create', t.id, { name: req.body.name, kind, role, scope });
    void reply.status(201);
    return { ok: true as const, data: { id: t.id, token: t.secret, kind, role, scope } };
  });

  r.delete('/tokens/:id', {
    onRequest: ctx.auth.session('admin'),
    schema: { tags, security, summary: 'Revoke a token (takes effect at once)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Ok(TokenRevoked), ...errors(401, 403, 404) } },
  }, async (req) => {
    if (!(await tokens.revokeToken(ctx.db, principalOf(req).workspaceId, req.params.id, ctx.clock.now()))) throw notFound('Token');
    ctx.auth.forgetToken(req.params.id);
    await recordAudit(ctx, req, 'token.revoke', req.params.id);
    return { ok: true as const, data: { id: req.params.id, revoked: true } };
  });

  r.get('/users', { onRequest: ctx.auth.session('admin'), schema: { tags, security, response: { 200: Ok(Type.Array(UserInfo)), ...errors(401, 403) } } }, async (req) => {
    const rows = await users.listUsers(ctx.db, principalOf(req).workspaceId);
    return { ok: true as const, data: rows.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, created_at: iso(u.created_at), disabled: u.disabled_at !== null })) };
  });

  r.post('/users', {
    onRequest: ctx.auth.session('admin'),
    schema: {
      tags, security, summary: 'Create a user',
      body: UserCreateBody,
      response: { 201: Ok(UserInfo), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const email = req.body.email.toLowerCase();
    if (await users.findUserByEmail(ctx.db, email)) throw conflict(`A user with email ${email} already exists`);
    const now = ctx.clock.now();
    const id = randomUUID();
    await users.insertUser(ctx.db, { id, workspace_id: principalOf(req).workspaceId, email, name: req.body.name, role: req.body.role, password_hash: await hashPassword(req.body.password), created_at: now, disabled_at: null });
    await recordAudit(ctx, req, 'user.create', id, { email, role: req.body.role });
    void reply.status(201);
    return { ok: true as const, data: { id, email, name: req.body.name, role: req.body.role, created_at: iso(now), disabled: false } };
  });

  r.get('/audit', {
    onRequest: ctx.auth.session('admin'),
    schema: {
      tags, security, summary: 'Audit log, newest first',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })) }, { additionalProperties: false }),
      response: { 200: Ok(Type.Array(Type.Object({ actor: Type.String(), action: Type.String(), target: Type.Union([Type.String(), Type.Null()]), detail: Type.Unknown(), request_id: Type.Union([Type.String(), Type.Null()]), at: Type.String() }))), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const rows = await audit.listAudit(ctx.db, principalOf(req).workspaceId, req.query.limit ?? 100, req.query.offset ?? 0);
    return { ok: true as const, data: rows.map((a) => ({ actor: a.actor, action: a.action, target: a.target, detail: JSON.parse(a.detail) as unknown, request_id: a.request_id, at: iso(a.created_at) })) };
  });
}
