// The Mitigation endpoints of full-api.md, in three files: rules, adapters, policy/thresholds.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { mitigationAdapterRoutes } from './mitigation-adapters.ts';
import { mitigationPolicyRoutes } from './mitigation-policy.ts';
import { mitigationRuleRoutes } from './mitigation-rules.ts';

export async function mitigationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await mitigationRuleRoutes(app, ctx);
  await mitigationAdapterRoutes(app, ctx);
  await mitigationPolicyRoutes(app, ctx);
}
