import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from './context.ts';
import { installErrorHandling } from './error-handler.ts';
import { badRequest } from './errors.ts';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan } from './json-body.ts';
import { agentRoutes } from './routes/agent.ts';
import { allowlistRoutes } from './routes/allowlist.ts';
import { profileRoutes } from './routes/profiles.ts';
import { collectorAgentRoutes, collectorRoutes } from './routes/collectors.ts';
import { agentCommandRoutes } from './routes/agent-commands.ts';
import { agentDeployRoutes } from './routes/agents-deploy.ts';
import { agentInstallRoutes } from './routes/agents-deploy-install.ts';
import { createDeployerDeps } from './services/deploy/agent-deployer.ts';
import { agentPcapRoutes } from './routes/agent-pcap.ts';
import { agentStreamRoutes } from './routes/agent-stream.ts';
import { fleetRoutes } from './routes/fleet-routes.ts';
import { channelRoutes } from './routes/channels.ts';
import { dashRoutes } from './routes/dash.ts';
import { dashLiveRoutes } from './routes/dash-live.ts';
import { dashWorkspaceRoutes } from './routes/dash-workspace.ts';
import { deployRoutes } from './routes/deploy.ts';
import { healthRoutes } from './routes/health.ts';
import { instrumentRequests, metricsRoutes } from './routes/metrics.ts';
import { readyRoutes } from './routes/ready.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { maintenanceRoutes } from './routes/maintenance.ts';
import { mitigationRoutes } from './routes/mitigation.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { pcapRoutes } from './routes/pcaps.ts';
import { scrubbingRoutes } from './routes/scrubbing.ts';
import { runbookRoutes } from './routes/runbooks.ts';
import { webRoutes } from './routes/web.ts';
import { workspaceRoutes } from './routes/workspace.ts';
import { schemaCompiler } from './validation.ts';

export type App = FastifyInstance;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    logger:
      ctx.config.logLevel === 'silent'
        ? false
        : { level: ctx.config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    ajv: { customOptions: {} },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(schemaCompiler);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  installErrorHandling(app);
  instrumentRequests(app, ctx.metrics);

  // JSON bodies: Fastify's own parser (prototype-poisoning checks, the empty-body error), behind a nesting limit.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonNestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      done(badRequest(`body: objects and arrays may nest at most ${MAX_JSON_DEPTH} levels deep`), undefined);
      return;
    }
    void parseJson(req, body as string, done);
  });
  // Chunked PCAP uploads stream the raw body to disk; the handler reads req.raw.
  app.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null));
  await app.register(multipart, { limits: { fileSize: ctx.config.pcapMaxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });

  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Breakwater API', version: ctx.version, description: 'DDoS detection and mitigation: REST v1, deploy and agent APIs.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token or workspace deploy token' },
          nodeKey: { type: 'http', scheme: 'bearer', description: 'Node API key, with the X-Node-UUID header' },
          session: { type: 'apiKey', in: 'cookie', name: 'bw_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (v1) => {
    await healthRoutes(v1, ctx);
    await readyRoutes(v1, ctx);
    await nodeRoutes(v1, ctx);
    await incidentRoutes(v1, ctx);
    await channelRoutes(v1, ctx);
    await workspaceRoutes(v1, ctx);
    await pcapRoutes(v1, ctx);
    await maintenanceRoutes(v1, ctx);
    await mitigationRoutes(v1, ctx);
    await allowlistRoutes(v1, ctx);
    await scrubbingRoutes(v1, ctx);
    await runbookRoutes(v1, ctx);
    await profileRoutes(v1, ctx);
    await collectorRoutes(v1, ctx);
  }, { prefix: '/api/v1' });
  // Every agent reports every second: at the default levels their requests are logged only when
  // something goes wrong, so a fleet does not drown the log (debug and trace still show them).
  const agentLogLevel = ['debug', 'trace', 'silent'].includes(ctx.config.logLevel) ? ctx.config.logLevel : 'warn';
  await app.register(async (agent) => {
    await agentRoutes(agent, ctx);
    await agentPcapRoutes(agent, ctx);
    await agentStreamRoutes(agent, ctx);
    await collectorAgentRoutes(agent, ctx);
  }, { prefix: '/api/v1/agent', logLevel: agentLogLevel });
  await app.register(async (api) => {
    await deployRoutes(api, ctx);
    await agentCommandRoutes(api, ctx);
    await fleetRoutes(api, ctx);
    const deployDeps = createDeployerDeps(ctx);
    await agentDeployRoutes(api, ctx, deployDeps);
    await agentInstallRoutes(api, ctx, deployDeps);
  }, { prefix: '/api' });
  await app.register(async (dash) => {
    await dashRoutes(dash, ctx);
    await dashWorkspaceRoutes(dash, ctx);
    await dashLiveRoutes(dash, ctx);
  }, { prefix: '/api/dash' });
  await metricsRoutes(app, ctx);
  await webRoutes(app, ctx);
  return app;
}

