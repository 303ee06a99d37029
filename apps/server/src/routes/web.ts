// The dashboard: apps/web/dist served as built by Vite. Hashed assets are cached for a year;
// index.html never, so a new build is picked up at the next load. Any other GET outside /api is
// a dashboard route (the app routes in the browser) and gets index.html. /api is never shadowed:
// an unknown API path still answers with the API's own 404 envelope.
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppContext } from '../context.ts';

/** Where `vite build` writes; BREAKWATER_WEB_DIR points elsewhere (packaged installs, tests). */
export function webDir(): string {
  return resolve(process.env.BREAKWATER_WEB_DIR ?? resolve(import.meta.dirname, '..', '..', '..', 'web', 'dist'));
}

const YEAR = 365 * 24 * 3600;
const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Breakwater</title>
<h1>The dashboard is not built</h1>
<p>Build it with <code>npm run build -w apps/web</code> (<code>./bw run</code> does it for you), then reload.
The API is up: <a href="/api/v1/health">/api/v1/health</a>, <a href="/api/v1/docs">/api/v1/docs</a>.</p>`;
// React sets styles through the CSSOM, which style-src does not govern; uPlot's stylesheet is a file.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function webRoutes(app: FastifyInstance, _ctx: AppContext): Promise<void> {
  const root = webDir();
  // Only the reply.sendFile decoration: the routing below decides what is a file.
  await app.register(fastifyStatic, { serve: false, preCompressed: true });

  const index = (reply: FastifyReply) => {
    void reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
    if (!existsSync(resolve(root, 'index.html'))) return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/', { schema: { hide: true } }, async (_req, reply) => index(reply));
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(req.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) return reply.callNotFound();
    const file = resolve(root, `.${pathname}`);
    if (file.startsWith(root + sep) && isFile(file)) {
      const hashed = pathname.startsWith('/assets/');
      void reply.header('x-content-type-options', 'nosniff');
      return reply.sendFile(file.slice(root.length + 1), root, hashed ? { maxAge: YEAR * 1000, immutable: true } : { maxAge: 0 });
    }
    // A missing hashed asset is an old page asking for a previous build: a 404, not the app.
    if (pathname.startsWith('/assets/') || /\.[a-z0-9]{1,8}$/i.test(pathname)) return reply.callNotFound();
    return index(reply);
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
