// DELETE of an object a workspace owns (channel, maintenance window, allowlist entry, threshold
// override): one operator route shape, so each resource states only what differs.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Deleted, Ok, errors } from '@breakwater/contracts';
import type { Db } from '@breakwater/db';
import { principalOf } from '../auth/principal.ts';
import { recordAudit, type AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security } from './security.ts';

export interface DeleteRoute {
  /** The path, ending in `/:id`. */
  path: string;
  tags: string[];
  summary: string;
  /** What the 404 names ("Channel" → "Channel not found"). */
  what: string;
  /** The audit log's action. */
  action: string;
  /** Removes the workspace's object; false when it has none with that id. */
  remove: (db: Db, workspaceId: string, id: string) => Promise<boolean>;
}

export function deleteRoute(app: FastifyInstance, ctx: AppContext, d: DeleteRoute): void {
  app.withTypeProvider<TypeBoxTypeProvider>().delete(d.path, {
    onRequest: ctx.auth.api('operator'),
    schema: {
      tags: d.tags, summary: d.summary, security, params: IdParams,
      response: { 200: Ok(Deleted), ...errors(401, 403, 404, 429) },
    },
  }, async (req) => {
    if (!(await d.remove(ctx.db, principalOf(req).workspaceId, req.params.id))) throw notFound(d.what);
    await recordAudit(ctx, req, d.action, req.params.id);
    return { ok: true as const, data: { id: req.params.id, deleted: true } };
  });
}
