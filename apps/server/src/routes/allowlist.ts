// Allowlist (full-api.md): addresses and prefixes mitigation never touches. Adding an entry
// withdraws the live rules it covers at once.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AllowBody, AllowInfo, Ok, errors } from '@breakwater/contracts';
import { mitigation as repo, type AllowlistRow } from '@breakwater/db';
import { canonicalPrefix } from '@breakwater/mitigation';
import { recordAudit, type AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { findNode } from '../services/nodes/nodes.ts';
import { iso } from '../services/present.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['allowlist'];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const ListQuery = Type.Object({ node: Type.Optional(Type.String({ maxLength: 64, description: 'Node UUID: workspace-wide entries plus this node\'s' })) }, { additionalProperties: false });
const Created = Type.Intersect([AllowInfo, Type.Object({ withdrawn_rules: Type.Integer({ description: 'Live rules this entry covered, withdrawn at once' }) })]);

export async function allowlistRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const present = async (rows: AllowlistRow[]) => {
    const ids = [...new Set(rows.map((a) => a.node_id).filter((x): x is number => x !== null))];
    const nodes = new Map((ids.length ? await ctx.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', ids).execute() : []).map((n) => [n.id, n.uuid]));
    return rows.map((a) => ({
      id: a.id, ip_address: a.ip_address, label: a.label, scope: a.node_id === null ? 'workspace' : 'node',
      node: a.node_id === null ? null : nodes.get(a.node_id) ?? null, created_by: a.created_by, created_at: iso(a.created_at),
    }));
  };

  r.get('/allowlist', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Allowlist entries', security, querystring: ListQuery, response: { 200: Ok(Type.Array(AllowInfo)), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const ws = req.principal!.workspaceId;
    const node = req.query.node !== undefined ? await findNode(ctx, ws, req.query.node) : null;
    return { ok: true as const, data: await present(await repo.listAllow(ctx.db, ws, node?.id ?? null)) };
  });

  r.post('/allowlist', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Add an address or prefix that is never mitigated', security, body: AllowBody, response: { 201: Ok(Created), ...errors(400, 401, 403, 404, 429) } },
  }, async (req, reply) => {
    const ws = req.principal!.workspaceId;
    const b = req.body;
    const ip = canonicalPrefix(b.ip_address);
    if (!ip) throw badRequest('ip_address: must be an IPv4 or IPv6 address or CIDR prefix');
    const scope = b.scope ?? (b.node ? 'node' : 'workspace');
    if (scope === 'node' && !b.node) throw badRequest('node: required when scope is node');
    if (scope === 'workspace' && b.node) throw badRequest('node: only with scope node');
    const node = scope === 'node' ? await findNode(ctx, ws, b.node!) : null;
    const row: AllowlistRow = { id: randomUUID(), workspace_id: ws, node_id: node?.id ?? null, ip_address: ip, label: b.label ?? null, created_by: req.principal!.actor, created_at: ctx.clock.now() };
    await repo.insertAllow(ctx.db, row);
    const withdrawn = await ctx.mitigation.enforceAllowlist(ws, ip, node?.id ?? null, req.principal!.actor);
    await recordAudit(ctx, req, 'allowlist.add', row.id, { ip_address: ip, scope, node: b.node ?? null, withdrawn_rules: withdrawn });
    void reply.code(201);
    return { ok: true as const, data: { ...(await present([row]))[0]!, withdrawn_rules: withdrawn } };
  });

  r.delete('/allowlist/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Remove an allowlist entry', security, params: IdParams, response: { 200: Ok(Type.Object({ id: Type.String(), deleted: Type.Boolean() })), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    if (!(await repo.deleteAllow(ctx.db, req.principal!.workspaceId, req.params.id))) throw notFound('Allowlist entry');
    await recordAudit(ctx, req, 'allowlist.remove', req.params.id);
    return { ok: true as const, data: { id: req.params.id, deleted: true } };
  });
}
