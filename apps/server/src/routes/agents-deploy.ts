// Fleet agents API, deploy over SSH (fleet-agents-api.md "Deploy Agent"), the SSH keys deploys
// name, the host keys they recorded, and the deploy jobs with their steps. Admin only.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AgentDeployBody, AgentDeployed, DeployJob, KnownHost, SshKeyCreateBody, SshKeyInfo, errors } from '@breakwater/contracts';
import { fleetDeploy } from '@breakwater/db';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { deployAgent, type DeployerDeps } from '../services/deploy/agent-deployer.ts';
import { presentDeployJob } from '../services/deploy/deploy-job.ts';
import { serverOrigin } from '../services/deploy/install-script.ts';
import { parsePrivateKey } from '../services/deploy/ssh-key-text.ts';
import { iso } from '../services/present.ts';
import { API_SECURITY as security } from './security.ts';
import { IdParams } from './params.ts';

const tags = ['agents'];
const MASK = '••••••••';

export function originOf(ctx: AppContext, req: FastifyRequest): string {
  const o = serverOrigin(ctx.config.publicUrl, req.protocol, req.host);
  if (!o) throw badRequest('Host: the server has no public URL configured (--public-url) and the request\'s Host header is not a usable origin');
  return o;
}

export async function agentDeployRoutes(app: FastifyInstance, ctx: AppContext, deps: DeployerDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/agents/ssh-keys', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Registered SSH private keys (masked, with fingerprints)', security, response: { 200: Type.Array(SshKeyInfo), ...errors(401, 403, 429) } },
  }, async (req) => {
    const rows = await fleetDeploy.listSshKeys(ctx.db, principalOf(req).workspaceId);
    return rows.map((k) => ({
      id: k.id, name: k.name, key_type: k.key_type, fingerprint: k.fingerprint, public_key: k.public_key, private_key: MASK,
      has_passphrase: k.has_passphrase, created_by: k.created_by, created_at: iso(k.created_at),
    }));
  });

  r.post('/agents/ssh-keys', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Register an SSH private key (stored encrypted; deploys name it in ssh_key)', security, body: SshKeyCreateBody, response: { 200: SshKeyInfo, ...errors(400, 401, 403, 409, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const { name, private_key, passphrase } = req.body;
    const parsed = parsePrivateKey(private_key, passphrase);
    if (await fleetDeploy.sshKeyNameTaken(ctx.db, p.workspaceId, name)) throw conflict(`name: an SSH key named "${name}" already exists`, 'duplicate_name');
    const id = randomUUID();
    const now = ctx.clock.now();
    await fleetDeploy.insertSshKey(ctx.db, {
      id, workspace_id: p.workspaceId, name, key_type: parsed.keyType, public_key: parsed.publicKey, fingerprint: parsed.fingerprint,
      private_key, passphrase: passphrase ?? null, created_by: p.actor, created_at: now,
    });
    await recordAudit(ctx, req, 'agent.ssh_key.create', id, { name, key_type: parsed.keyType, fingerprint: parsed.fingerprint });
    return {
      id, name, key_type: parsed.keyType, fingerprint: parsed.fingerprint, public_key: parsed.publicKey, private_key: MASK,
      has_passphrase: passphrase !== undefined, created_by: p.actor, created_at: iso(now),
    };
  });

  r.delete('/agents/ssh-keys/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Delete a registered SSH key', security, params: IdParams, response: { 200: Type.Object({ status: Type.Literal('deleted') }), ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    const p = principalOf(req);
    const key = await fleetDeploy.getSshKey(ctx.db, p.workspaceId, req.params.id);
    if (!key || !(await fleetDeploy.deleteSshKey(ctx.db, p.workspaceId, key.id))) throw notFound('SSH key');
    await recordAudit(ctx, req, 'agent.ssh_key.delete', key.id, { name: key.name, fingerprint: key.fingerprint });
    return { status: 'deleted' as const };
  });

  r.get('/agents/known-hosts', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'Host keys deploys have pinned or trusted on first use', security, response: { 200: Type.Array(KnownHost), ...errors(401, 403, 429) } },
  }, async (req) => (await fleetDeploy.listKnownHosts(ctx.db, principalOf(req).workspaceId)).map((h) => ({
    host: h.host, port: h.port, fingerprint: h.fingerprint, key_type: h.key_type, trust: h.trust as 'pinned' | 'tofu', recorded_by: h.recorded_by, first_seen_at: iso(h.first_seen_at),
  })));

  r.post('/agents/deploy', {
    onRequest: ctx.auth.api('admin'),
    schema: {
      tags, summary: 'Install, enrol and start an agent on a host over SSH (host key pinned or trusted on first use); answers when the agent reports', security,
      body: AgentDeployBody, response: { 200: AgentDeployed, ...errors(400, 401, 402, 403, 409, 429, 502, 504) },
    },
  }, async (req) => {
    const p = principalOf(req);
    return deployAgent(ctx, deps, { workspaceId: p.workspaceId, actor: p.actor, requestId: req.id }, req.body, originOf(ctx, req));
  });

  r.get('/agents/deploy/jobs', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'The last 50 deploy jobs with their steps', security, response: { 200: Type.Array(DeployJob), ...errors(401, 403, 429) } },
  }, async (req) => (await fleetDeploy.listDeployJobs(ctx.db, principalOf(req).workspaceId, 50)).map(presentDeployJob));

  r.get('/agents/deploy/jobs/:id', {
    onRequest: ctx.auth.api('admin'),
    schema: { tags, summary: 'One deploy job with its steps', security, params: IdParams, response: { 200: DeployJob, ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    const job = await fleetDeploy.getDeployJob(ctx.db, principalOf(req).workspaceId, req.params.id);
    if (!job) throw notFound('Deploy job');
    return presentDeployJob(job);
  });
}
