// GET /metrics (Prometheus text format) on the server's own port, and the hooks that count
// every request by route template. Who may read it: with a metrics token configured
// (BREAKWATER_METRICS_TOKEN / --metrics-token-file), any client presenting it as a bearer
// token; without one, loopback clients only (the TCP peer: the server trusts no proxy
// header). The metrics hold counts and ids of the whole database, never a workspace's names.
import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import type { AppContext } from '../context.ts';
import { constantTimeEqualHex, digest } from '../auth/credentials.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';
import type { ServerMetrics } from '../observability/server-metrics.ts';

export function isLoopbackPeer(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** Counts each answered request under its route template (unmatched paths share one label). */
export function instrumentRequests(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
}

export async function metricsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  if (!ctx.config.metricsEnabled) {
    // Answered here, not by the dashboard's fallback page.
    app.get('/metrics', { schema: { hide: true } }, async () => {
      throw new AppError(404, 'not_found', 'metrics: disabled on this server (metricsEnabled is false)');
    });
    return;
  }
  const { metrics } = ctx;
  const tokenDigest = ctx.config.metricsToken ? digest(ctx.config.metricsToken) : null;
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (req, reply) => {
    if (tokenDigest) {
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
      if (!m || !constantTimeEqualHex(digest(m[1]!), tokenDigest)) throw unauthorized('metrics: send the metrics token as Authorization: Bearer <token>');
    } else if (!isLoopbackPeer(req.socket.remoteAddress)) {
      throw forbidden('metrics: only loopback clients may read /metrics unless a metrics token is configured (BREAKWATER_METRICS_TOKEN or --metrics-token-file)');
    }
    const body = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
