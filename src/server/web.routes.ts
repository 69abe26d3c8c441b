import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendRouteNotFound } from './errors.ts';

const defaultDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// Paths that belong to the API, ingestion, the tracking snippet and redirects: the SPA fallback
// must never answer for them, or a typo in an API URL would get HTML with a 200.
const reserved = [/^\/api(\/|$)/, /^\/v1(\/|$)/, /^\/t\.js$/, /^\/r(\/|$)/];

/**
 * Serves the built web app (web/dist) at `/`: hashed assets with long cache headers, and
 * index.html for every other non-API GET so deep links and reloads land on the right screen.
 * Register it after the API routes.
 */
export async function webRoutes(app: FastifyInstance, options: { distDir?: string } = {}): Promise<void> {
  const root = options.distDir ?? defaultDist;
  const built = existsSync(path.join(root, 'index.html'));
  if (built) await app.register(fastifyStatic, { root, serve: false });

  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendRouteNotFound(request, reply);

  const sendIndex = (reply: FastifyReply) => {
    if (!built) {
      return reply.code(503).type('text/plain; charset=utf-8')
        .send('The web app is not built. Run `npm run build:web` (npm start does it for you), then reload.');
    }
    // The page names the current hashed bundles, so it must be revalidated on every load.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0, immutable: false });
  };

  // Vite puts content-hashed files under /assets: a changed file gets a new name, so they can be cached for a year.
  app.get('/assets/*', { schema: { hide: true } }, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    if (!built || !isFile(root, path.join('assets', file))) return notFound(request, reply);
    return reply.sendFile(path.join('assets', file), { maxAge: 365 * 24 * 3600 * 1000, immutable: true });
  });

  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const pathname = safeDecode(request.url.split('?')[0] ?? '/');
    if (reserved.some((r) => r.test(pathname))) return notFound(request, reply);
    const last = pathname.split('/').pop() ?? '';
    // A path that names a file (favicon.ico, robots.txt) is a file or a 404, never the app shell.
    if (last.includes('.')) {
      if (built && isFile(root, pathname)) return reply.sendFile(pathname.slice(1), { maxAge: 3600 * 1000, immutable: false });
      return notFound(request, reply);
    }
    return sendIndex(reply);
  });
}

function isFile(root: string, relative: string): boolean {
  const full = path.resolve(root, '.' + path.posix.normalize('/' + relative));
  if (!full.startsWith(path.resolve(root) + path.sep)) return false;
  try {
    return statSync(full).isFile();
  } catch {
    return false;
  }
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
