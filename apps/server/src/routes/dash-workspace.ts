// Workspace settings an admin changes: limits, and what agents receive in their config.
import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ok, SafeText, errors } from '@breakwater/contracts';
import { fromJson, workspaces } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import { SESSION_SECURITY as security } from './security.ts';

const IocPattern = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
    name: Type.Optional(SafeText({ maxLength: 200 })),
    hex: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{2}){1,256}$' })),
    ascii: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);
const AgentSettings = Type.Object(
  {
    ioc_patterns: Type.Optional(Type.Array(IocPattern, { maxItems: 500 })),
    attack_cooldown: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    attack_holddown: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    pcap_enabled: Type.Optional(Type.Boolean()),
    ip_blocklist: Type.Optional(Type.Array(Type.String({ format: 'ip' }), { maxItems: 10_000 })),
    service_ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
const Patch = Type.Object(
  {
    name: Type.Optional(SafeText({ minLength: 1, maxLength: 100 })),
    rate_limit_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    node_quota: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    settings: Type.Optional(AgentSettings),
  },
  { additionalProperties: false, minProperties: 1 },
);
const View = Type.Object({ id: Type.String(), name: Type.String(), rate_limit_per_minute: Type.Integer(), node_quota: Type.Integer(), settings: AgentSettings });

export async function dashWorkspaceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const view = async (id: string) => {
    const ws = await workspaces.getWorkspace(ctx.db, id);
    if (!ws) throw notFound('Workspace');
    return { id: ws.id, name: ws.name, rate_limit_per_minute: ws.rate_limit_per_min, node_quota: ws.node_quota, settings: fromJson<Static<typeof AgentSettings>>(ws.settings, {}) };
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
