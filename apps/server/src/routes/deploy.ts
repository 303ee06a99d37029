import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { COMMAND_KEY_HEADER, DeployBody, DeployResponse, errors } from '@breakwater/contracts';
import { recordAudit, type AppContext } from '../context.ts';
import { principalOf } from '../auth/principal.ts';
import { createNode } from '../services/nodes/nodes.ts';
import { DEPLOY_SECURITY } from './security.ts';

export async function deployRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/deploy', {
    onRequest: ctx.auth.deploy(),
    schema: {
      tags: ['deploy'], summary: 'Register a node with a workspace deploy token', security: DEPLOY_SECURITY,
      body: DeployBody, response: { 200: DeployResponse, ...errors(400, 401, 402, 409, 429) },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const { node, apiKey } = await createNode(ctx, p.workspaceId, req.body);
    await recordAudit(ctx, req, 'node.deploy', node.uuid, { name: node.name, ip: node.ip });
    // The reply keeps the reference's exact shape (paths.md); the workspace's command-signing key,
    // which the agent pins to verify every command it is sent, travels in a header beside it.
    void reply.header(COMMAND_KEY_HEADER, await ctx.commands.signer.publicKey(p.workspaceId));
    return { ok: true as const, node_uuid: node.uuid, api_key: apiKey, name: node.name, ip: node.ip };
  });
}
