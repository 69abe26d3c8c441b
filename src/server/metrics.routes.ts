import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { pausedConnectorCounts } from '../app/crm/crm.ts';
import type { ServerDeps } from './create-server.ts';

/**
 * Prometheus metrics at GET /metrics (needs the `read` permission: scrape with a read-scoped key).
 * One registry per server instance, so tests and multiple servers in one process don't collide.
 */
export function metricsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leadloop_' });
  const duration = new Histogram({
    name: 'leadloop_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const errors = new Counter({ name: 'leadloop_http_errors_total', help: 'HTTP responses with status >= 500', labelNames: ['route'], registers: [registry] });
  // A CRM connector paused on refused credentials stops syncing until someone reconnects it: alert on > 0.
  new Gauge({
    name: 'leadloop_crm_connectors_paused', help: 'CRM connectors paused (credentials expired or revoked), by provider', labelNames: ['provider'], registers: [registry],
    async collect() {
      this.reset();
      for (const p of ['salesforce', 'hubspot'] as const) this.set({ provider: p }, 0);
      for (const { provider, paused } of await pausedConnectorCounts(deps.app)) this.set({ provider }, paused);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in URLs would explode label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) errors.inc({ route });
  });
  app.get('/metrics', { config: { permission: 'read' }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
