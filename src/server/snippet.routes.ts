import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from './create-server.ts';
import { allowAnyOrigin } from './ingest-auth.ts';

// Read and compressed once at start: the snippet is requested by every page view of every site.
const source = readFileSync(new URL('./assets/t.js', import.meta.url));
const gzipped = gzipSync(source, { level: 9 });
const etag = `"${createHash('sha256').update(source).digest('base64url').slice(0, 16)}"`;

export const snippetSizes = { raw: source.length, gzip: gzipped.length };

/** GET /t.js: the first-party tracking snippet, cacheable (1 h, revalidated by ETag) and gzip-encoded. */
export function snippetRoutes(server: FastifyInstance, _deps: ServerDeps): void {
  server.get('/t.js', { config: { permission: 'public' }, schema: { hide: true } }, async (request, reply) => {
    allowAnyOrigin(reply);
    reply.header('cache-control', 'public, max-age=3600, stale-while-revalidate=86400');
    reply.header('etag', etag);
    reply.header('vary', 'accept-encoding');
    reply.type('application/javascript; charset=utf-8');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      reply.header('content-encoding', 'gzip');
      return reply.send(gzipped);
    }
    return reply.send(source);
  });
}
