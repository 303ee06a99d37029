// Workspace settings an admin changes: limits, and what agents receive in their config.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
// The schemas live in contracts: the dashboard's settings form is drawn from the same ones.
import { Ok, WorkspaceSettings as View, WorkspaceSettingsPatch as Patch, errors, type AgentSettings } from '@breakwater/contracts';
import { fromJson, workspaces } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { SESSION_SECURITY as security } from './security.ts';


export async function dashWorkspaceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const view = async (id: string) => {
    const ws = await workspaces.getWorkspace(ctx.db, id);
    if (!ws) throw notFound('Workspace');
    return { id: ws.id, name: ws.name, rate_limit_per_minute: ws.rate_limit_per_min, node_quota: ws.node_quota, settings: fromJson<AgentSettings>(ws.settings, {}) };
  };

  r.get('/workspace', { onRequest: ctx.auth.session('admin'), schema: { tags: ['dashboard'], security, response: { 200: Ok(View), ...errors(401, 403) } } }, async (req) => ({
    ok: true as const, data: await view(principalOf(req).workspaceId),
  }));

  r.patch('/workspace', {
    onRequest: ctx.auth.session('admin'),
    schema: { tags: ['dashboard'], security, summary: 'Change workspace limits and the settings agents receive', body: Patch, response: { 200: Ok(View), ...errors(400, 401, 403) } },
  }, async (req) => {
    const id = principalOf(req).workspaceId;
    const current = await view(id);
    const b = req.body;
    await workspaces.updateWorkspace(ctx.db, id, {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.rate_limit_per_minute !== undefined ? { rate_limit_per_min: b.rate_limit_per_minute } : {}),
      ...(b.node_quota !== undefined ? { node_quota: b.node_quota } : {}),
      ...(b.settings !== undefined ? { settings: JSON.stringify({ ...current.settings, ...b.settings }) } : {}),
    });
    ctx.auth.forgetWorkspaceLimit(id);
    await recordAudit(ctx, req, 'workspace.update', id, b);
    return { ok: true as const, data: await view(id) };
  });
}
