import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Health, Ok } from '@breakwater/contracts';
import { ping } from '@breakwater/db';
import type { AppContext } from '../context.ts';
import { iso } from '../services/present.ts';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/health', {
    schema: { tags: ['health'], summary: 'System health (no authentication)', response: { 200: Ok(Health), 503: Ok(Health) } },
  }, async (_req, reply) => {
    const t0 = performance.now();
    let ok = true;
    try {
      await ping(ctx.db);
    } catch {
      ok = false;
    }
    const now = ctx.clock.now();
    if (!ok) void reply.status(503);
    return {
      ok: true as const,
      data: {
        status: ok ? ('ok' as const) : ('degraded' as const), version: ctx.version,
        database: { engine: ctx.dialect, ok, latency_ms: Math.round((performance.now() - t0) * 100) / 100 },
        uptime_seconds: Math.round((now - ctx.startedAt) / 1000), time: iso(now),
      },
    };
  });
}
