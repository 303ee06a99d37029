// Allowlist (full-api.md): addresses and prefixes mitigation never touches; the rules live in
// services/mitigation/allowlist.ts.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AllowBody, AllowCreated as Created, AllowInfo, AllowListQuery as ListQuery, Ok, errors } from '@breakwater/contracts';
import { mitigation as repo } from '@breakwater/db';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { addAllowEntry, listAllowlist, presentAllowlist } from '../services/mitigation/allowlist.ts';
import { deleteRoute } from './delete-route.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['allowlist'];

export async function allowlistRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/allowlist', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Allowlist entries', security, querystring: ListQuery, response: { 200: Ok(Type.Array(AllowInfo)), ...errors(400, 401, 404, 429) } },
  }, async (req) => ({ ok: true as const, data: await presentAllowlist(ctx.db, await listAllowlist(ctx, principalOf(req).workspaceId, req.query.node)) }));

  r.post('/allowlist', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Add an address or prefix that is never mitigated', security, body: AllowBody, response: { 201: Ok(Created), ...errors(400, 401, 403, 404, 429) } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const { row, scope, withdrawn } = await addAllowEntry(ctx, p.workspaceId, p.actor, req.body);
    await recordAudit(ctx, req, 'allowlist.add', row.id, { ip_address: row.ip_address, scope, node: req.body.node ?? null, withdrawn_rules: withdrawn });
    void reply.code(201);
    return { ok: true as const, data: { ...(await presentAllowlist(ctx.db, [row]))[0]!, withdrawn_rules: withdrawn } };
  });

  deleteRoute(app, ctx, { path: '/allowlist/:id', tags, summary: 'Remove an allowlist entry', what: 'Allowlist entry', action: 'allowlist.remove', remove: repo.deleteAllow });
}
