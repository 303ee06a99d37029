// The install one-liner (fleet-agents-api.md "Install Script"): operators create single-use
// enrolment keys; the key fetches the script once; the script's own ticket downloads the
// bundle (sha256 announced in the script) and enrols the host.
import { createReadStream, type ReadStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AgentEnrolBody, EnrolmentKeyCreateBody, EnrolmentKeyCreated, EnrolmentKeyInfo, INSTALL_BUNDLE_PARTS, INSTALL_TICKET_HEADER, InstallScriptQuery, errors
} from '@breakwater/contracts';
import { fleetDeploy } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import type { DeployerDeps } from '../services/deploy/agent-deployer.ts';
import { createEnrolmentKey, enrolWithTicket, presentEnrolmentKey, ticketKey, useEnrolmentKey } from '../services/deploy/enrolment.ts';
import { renderInstallScript } from '../services/deploy/install-script.ts';
import { originOf } from './agents-deploy.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['agents'];

const ticketOf = (req: FastifyRequest) => {
  const h = req.headers[INSTALL_TICKET_HEADER];
  return typeof h === 'string' ? h : undefined;
};

export async function agentInstallRoutes(app: FastifyInstance, ctx: AppContext, deps: DeployerDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The ticket is checked before the body is read.
  const ticketAuth = async (req: FastifyRequest) => {
    await ticketKey(ctx, ticketOf(req));
  };

  r.post('/agents/enrolment-keys', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Create a single-use enrolment key (default: expires in 1 h) and its install one-liner; the key is shown once', security, body: EnrolmentKeyCreateBody, response: { 200: EnrolmentKeyCreated, ...errors(400, 401, 403, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const created = await createEnrolmentKey(ctx, p.workspaceId, p.actor, req.body, originOf(ctx, req));
    await recordAudit(ctx, req, 'agent.enrolment_key.create', created.id, { prefix: created.prefix, label: created.label, expires_at: created.expires_at });
    return created;
  });

  r.get('/agents/enrolment-keys', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'The last 100 enrolment keys (never the keys themselves) and what became of them', security, response: { 200: Type.Array(EnrolmentKeyInfo), ...errors(401, 403, 429) } },
  }, async (req) => {
    const now = ctx.clock.now();
    return (await fleetDeploy.listEnrolmentKeys(ctx.db, principalOf(req).workspaceId, 100)).map((k) => presentEnrolmentKey(k, now));
  });

  r.delete('/agents/enrolment-keys/:id', {
    onRequest: ctx.auth.api('operator'),
    schema: { tags, summary: 'Revoke an enrolment key', security, params: IdParams, response: { 200: Type.Object({ status: Type.Literal('deleted') }), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    if (!(await fleetDeploy.deleteEnrolmentKey(ctx.db, principalOf(req).workspaceId, req.params.id))) throw notFound('Enrolment key');
    await recordAudit(ctx, req, 'agent.enrolment_key.delete', req.params.id);
    return { status: 'deleted' as const };
  });

  r.get('/agents/install-script', {
    schema: {
      tags, summary: 'A POSIX sh script that installs, enrols and starts the agent; the single-use enrolment key works once, before it expires',
      querystring: InstallScriptQuery, response: { 200: Type.String(), ...errors(400, 401, 410, 429) },
    },
  }, async (req, reply) => {
    const origin = originOf(ctx, req);
    const [agent, runtime] = await Promise.all([deps.bundles.get('agent'), deps.bundles.get('runtime')]);
    const { ticket } = await useEnrolmentKey(ctx, req.query.key, req.id, req.ip);
    const script = renderInstallScript(deps.template, { serverUrl: origin, ticket, localDir: '', agent, runtime, nodeMajor: deps.bundles.nodeMajor, interface: '' });
    void reply.header('content-type', 'text/x-shellscript; charset=utf-8').header('cache-control', 'no-store');
    return script;
  });

  r.get('/agents/install-bundle/:part', {
    onRequest: ticketAuth,
    schema: {
      tags, summary: 'The agent (or Node runtime) tarball the install script downloads; its sha256 is in the script', description: 'Authenticated by the X-Install-Ticket header the install script carries.',
      params: Type.Object({ part: Type.Enum([...INSTALL_BUNDLE_PARTS]) }),
      response: { 200: Type.Unsafe<ReadStream>({ type: 'string', format: 'binary', description: 'application/gzip tarball' }), ...errors(400, 401, 410, 429) },
    },
  }, async (req, reply) => {
    const f = await deps.bundles.get(req.params.part);
    void reply.header('content-type', 'application/gzip').header('content-length', String(f.bytes)).header('x-content-sha256', f.sha256);
    return reply.send(createReadStream(f.path));
  });

  r.post('/agents/enrol', {
    onRequest: ticketAuth,
    schema: {
      tags, summary: 'Enrols the host an install script runs on (once per ticket); answers with its agent config', description: 'Authenticated by the X-Install-Ticket header the install script carries.',
      body: AgentEnrolBody, response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors(400, 401, 402, 409, 410, 429) },
    },
  }, async (req) => enrolWithTicket(ctx, ticketOf(req), req.body, req.ip, originOf(ctx, req), req.id) as unknown as Record<string, unknown>);
}
