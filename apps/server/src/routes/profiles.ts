// Firewall profiles (full-api.md, Attack Profiles): the catalogue with each suite's rules, a
// preview of what a node runs, apply to nodes or ["all"] with optional custom rules, rollback,
// and each node's status. Viewers read; operators apply and roll back.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApplyProfileBody, FIREWALL_SUITES, Ok, ProfileInfo, ProfilePreview, ProfileStatus, RollbackProfileBody, errors } from '@breakwater/contracts';
import { PROFILES } from '@breakwater/firewall-profiles';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { applyProfile, assertProfile, previewProfile, profileStatus, rollbackProfile, suiteOf } from '../services/profiles/profiles-service.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['profiles'];
const Applied = Type.Array(Type.Object({ node_id: Type.String(), command_id: Type.String(), state: Type.String() }));
const PreviewQuery = Type.Object({
  suite: Type.Optional(Type.String({ description: FIREWALL_SUITES.join(' | ') })),
  node: Type.Optional(Type.String({ maxLength: 64, description: 'Node UUID: include its allowlist entries' })),
}, { additionalProperties: false });
const StatusQuery = Type.Object({ node: Type.Optional(Type.String({ maxLength: 64, description: 'Node UUID' })) }, { additionalProperties: false });

export async function profileRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/profiles', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Firewall profiles with their rules per suite', security, response: { 200: Ok(Type.Array(ProfileInfo)), ...errors(401, 429) } },
  }, async () => ({ ok: true as const, data: [...PROFILES] }));

  r.get('/profiles/status', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Each node\'s applied profile', security, querystring: StatusQuery, response: { 200: Ok(Type.Array(ProfileStatus)), ...errors(400, 401, 404, 429) } },
  }, async (req) => ({ ok: true as const, data: await profileStatus(ctx, principalOf(req).workspaceId, req.query.node) }));

  r.get('/profiles/:id/preview', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Exactly what a node runs for a profile in one suite', security, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), querystring: PreviewQuery, response: { 200: Ok(ProfilePreview), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const id = assertProfile(req.params.id);
    const suite = suiteOf(req.query.suite);
    return { ok: true as const, data: await previewProfile(ctx, principalOf(req).workspaceId, id, suite, req.query.node) };
  });

  r.post('/profiles/apply', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Apply a firewall profile to nodes', security, body: ApplyProfileBody, response: { 200: Ok(Applied), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const data = await applyProfile(ctx, p.workspaceId, p.actor, req.body);
    await recordAudit(ctx, req, 'profile.apply', req.body.profile_id, { suite: req.body.suite, nodes: data.map((d) => d.node_id), custom_rules: req.body.rules?.length ?? 0 });
    return { ok: true as const, data };
  });

  r.post('/profiles/rollback', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Roll nodes back to the firewall before their last profile', security, body: RollbackProfileBody, response: { 200: Ok(Applied), ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const data = await rollbackProfile(ctx, p.workspaceId, p.actor, req.body.node_ids);
    await recordAudit(ctx, req, 'profile.rollback', null, { nodes: data.map((d) => d.node_id) });
    return { ok: true as const, data };
  });
}
