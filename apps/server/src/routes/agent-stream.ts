import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

// Filled in by its own change; registered here so app.ts needs no edit when it lands.
export async function agentStreamRoutes(_app: FastifyInstance, _ctx: AppContext): Promise<void> {}
