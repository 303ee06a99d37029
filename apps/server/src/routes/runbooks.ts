// Runbooks (full-api.md "Runbooks", paths.md): viewers read runbooks and their executions;
// operators and admins create, change, delete, toggle and test-run them. Every change is audited.
import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ExecutionInfo, ExecutionsQuery, Ok, RunbookBody, RunbookInfo, RunbookPatch, RunbookTestBody, errors } from '@breakwater/contracts';
import { nodes, runbooks as repo } from '@breakwater/db';
import { principalOf } from '../auth/principal.ts';
import { offlineBefore, recordAudit, type AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { createRunbook, ownRunbook, updateRunbook } from '../services/runbooks/runbook-admin.ts';
import { presentExecutions, presentRunbook } from '../services/runbooks/present.ts';
import { IdParams } from './params.ts';
import { API_SECURITY as security } from './security.ts';

const tags = ['runbooks'];

export async function runbookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const countsOf = async (ws: string, id: string) => (await repo.executionCounts(ctx.db, ws)).get(id);

  r.get('/runbooks', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'Runbooks with their execution counts and active flag', security, response: { 200: Ok(Type.Array(RunbookInfo)), ...errors(401, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const counts = await repo.executionCounts(ctx.db, ws);
    return { ok: true as const, data: (await repo.listRunbooks(ctx.db, ws)).map((row) => presentRunbook(row, counts.get(row.id))) };
  });

  r.post('/runbooks', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create a runbook (trigger conditions and ordered steps)', security, body: RunbookBody, response: { 201: Ok(RunbookInfo), ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const row = await createRunbook(ctx, p.workspaceId, p.actor, req.body);
    await recordAudit(ctx, req, 'runbook.create', row.id, { name: row.name, steps: req.body.steps.map((s) => s.action_type) });
    void reply.code(201);
    return { ok: true as const, data: presentRunbook(row, undefined) };
  });

  r.get('/runbooks/:id', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'One runbook with its steps and trigger conditions', security, params: IdParams, response: { 200: Ok(RunbookInfo), ...errors(401, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const row = await ownRunbook(ctx, ws, req.params.id);
    return { ok: true as const, data: presentRunbook(row, await countsOf(ws, row.id)) };
  });

  r.patch('/runbooks/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Change a runbook (only the fields given; steps are replaced as a whole)', security, params: IdParams, body: RunbookPatch, response: { 200: Ok(RunbookInfo), ...errors(400, 401, 403, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const next = await updateRunbook(ctx, await ownRunbook(ctx, ws, req.params.id), req.body);
    await recordAudit(ctx, req, 'runbook.update', next.id, { name: next.name, keys: Object.keys(req.body) });
    return { ok: true as const, data: presentRunbook(next, await countsOf(ws, next.id)) };
  });

  r.delete('/runbooks/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Delete a runbook: runs under way finish, no new one starts', security, params: IdParams, response: { 200: Ok(Type.Object({ id: Type.String(), deleted: Type.Boolean() })), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const cur = await ownRunbook(ctx, ws, req.params.id);
    await repo.deleteRunbook(ctx.db, ws, cur.id);
    await recordAudit(ctx, req, 'runbook.delete', cur.id, { name: cur.name });
    return { ok: true as const, data: { id: cur.id, deleted: true } };
  });

  r.post('/runbooks/:id/toggle', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Switch a runbook between active and inactive', security, params: IdParams, response: { 200: Ok(RunbookInfo), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    const cur = await ownRunbook(ctx, ws, req.params.id);
    const next = await updateRunbook(ctx, cur, { active: cur.active !== 1 });
    await recordAudit(ctx, req, 'runbook.toggle', cur.id, { name: cur.name, active: next.active === 1 });
    return { ok: true as const, data: presentRunbook(next, await countsOf(ws, cur.id)) };
  });

  r.post('/runbooks/:id/test', {
    onRequest: ctx.auth.api('operator'),
    // Every key has a default: a request without a body means {}.
    preValidation: async (req) => {
      if (req.body === undefined) req.body = {};
    },
    schema: {
      tags, summary: 'Run a runbook now against a node, or a synthetic context; side-effecting steps are dry runs unless dry_run is false',
      security, params: IdParams, body: RunbookTestBody, response: { 202: Ok(ExecutionInfo), ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req, reply) => {
    const ws = principalOf(req).workspaceId;
    const cur = await ownRunbook(ctx, ws, req.params.id);
    const body = req.body;
    let node = null;
    if (body.node !== undefined) {
      const found = await nodes.getNodeByUuid(ctx.db, ws, body.node, offlineBefore(ctx));
      if (!found) throw badRequest(`node: no node ${body.node} in this workspace`);
      node = (await nodes.getNodeRow(ctx.db, found.id)) ?? null;
    }
    const dryRun = body.dry_run !== false;
    const ex = await ctx.runbooks.test(cur, node, dryRun);
    await recordAudit(ctx, req, 'runbook.test', cur.id, { name: cur.name, execution: ex.id, node: body.node ?? null, dry_run: dryRun });
    void reply.code(202);
    return { ok: true as const, data: (await presentExecutions(ctx.db, [ex]))[0]! };
  });

  r.get('/runbooks/:id/executions', {
    onRequest: ctx.auth.api('viewer'),
    schema: { tags, summary: 'A runbook\'s executions, newest first, step by step', security, params: IdParams, querystring: ExecutionsQuery, response: { 200: Ok(Type.Array(ExecutionInfo)), ...errors(400, 401, 404, 429) } },
  }, async (req) => {
    const ws = principalOf(req).workspaceId;
    // Executions outlive their runbook: a deleted runbook's history is still there by its id.
    const rows = await repo.executionsOf(ctx.db, ws, req.params.id, req.query.limit ?? 50);
    if (rows.length === 0) await ownRunbook(ctx, ws, req.params.id);
    return { ok: true as const, data: await presentExecutions(ctx.db, rows) };
  });
}
