import type { FastifyInstance, FastifyReply } from 'fastify';
import { databaseHealth } from '../storage/health.repo.ts';
import type { ServerDeps } from './create-server.ts';

/**
 * Probes for load balancers and orchestrators (public, never rate-limited, never cached):
 * - GET /health/live: the process answers HTTP (restart it when this fails);
 * - GET /health/ready: PostgreSQL answers and every migration this code needs is applied (send traffic only then);
 * - GET /api/v1/health: the API's health, the same check as ready: never 200 while PostgreSQL is down.
 */
export function healthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const config = { permission: 'public' as const };
  const ready = async (reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const health = await databaseHealth(deps.app.db);
    if (health.ok) return reply.send({ status: 'ok', database: 'ok', migrations: health.migrations });
    return reply.code(503).send({
      status: 'unavailable', database: health.reason === 'unreachable' ? 'unreachable' : 'ok', reason: health.reason,
      message: health.message, ...(health.pending ? { pending_migrations: health.pending } : {}),
    });
  };
  app.get('/health/live', { config, schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/health/ready', { config, schema: { hide: true } }, async (_request, reply) => ready(reply));
  app.get('/api/v1/health', { config, schema: { tags: ['system'], summary: 'Health: 200 when PostgreSQL answers and migrations are applied, 503 otherwise' } }, async (_request, reply) => ready(reply));
}
