// Readiness for a load balancer or systemd: whether this replica has its database, its bus and
// its lease round (health, beside it, stays as the reference has it). 503 with the envelope when
// not, naming what is missing; no authentication, like health.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ok, Readiness } from '@breakwater/contracts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';

export async function readyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/ready', {
    schema: { tags: ['health'], summary: 'Readiness of this replica: database, cross-replica bus and leases (no authentication)', response: { 200: Ok(Readiness) } },
  }, async () => {
    const report = await ctx.cluster.readiness();
    if (!report.ready) {
      const missing = [
        report.database.ok ? null : 'the database does not answer',
        report.bus.ok ? null : `the ${report.bus.kind} bus is not listening`,
        report.leases.ok ? null : 'the lease round has not reached the database lately',
      ].filter(Boolean);
      throw new AppError(503, 'not_ready', `replica ${report.replica_id} is not ready: ${missing.join('; ')}`);
    }
    return { ok: true as const, data: report };
  });
}
