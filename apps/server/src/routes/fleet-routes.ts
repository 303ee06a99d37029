// Fleet agents API (fleet-agents-api.md) under /api/agents: list, detail, the agent's host
// report, delete, stream tickets and SSE streams, files. Shapes are the reference's (bare,
// not the v1 envelope); errors use the envelope like everywhere else.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { fleetAgentRoutes } from './fleet-agents.ts';
import { fleetFileRoutes } from './fleet-files.ts';
import { fleetStreamRoutes } from './fleet-streams.ts';

export async function fleetRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Open SSE streams would hold the server's close forever: end them first.
  app.addHook('preClose', async () => ctx.fleet.streams.stopAll());
  await fleetAgentRoutes(app, ctx);
  await fleetStreamRoutes(app, ctx);
  await fleetFileRoutes(app, ctx);
}
