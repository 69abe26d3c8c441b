import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerDatabaseGauges, scrape } from '../app/metrics.ts';
import type { ServerDeps } from './create-server.ts';
import { ingestPipelineOf } from './ingest.routes.ts';

/** Where a request came in, for the ingest metrics: null for everything that is not an ingestion door. */
export function ingestDoorOf(route: string): string | null {
  if (route.startsWith('/v1/') || route.startsWith('/beacon/')) return route === '/v1/content-ratings' ? null : 'segment';
  if (route === '/api/v1/activities') return 'rest';
  if (/^\/api\/v1\/forms\/[^/]+\/submissions$/.test(route)) return 'forms';
  if (route.startsWith('/api/v1/imports')) return 'csv';
  return null;
}

/**
 * Prometheus metrics at GET /metrics, for a key with the `metrics` scope (reads nothing else) or an admin.
 * One registry per server instance, so tests and multiple servers in one process don't collide; the worker
 * of the same process adds its job metrics through `deps.jobMetrics`.
 */
export function metricsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leadloop_' });
  const duration = new Histogram({
    name: 'leadloop_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  const errors = new Counter({ name: 'leadloop_http_errors_total', help: 'HTTP responses with status >= 500', labelNames: ['route'], registers: [registry] });
  const ingestRequests = new Counter({
    name: 'leadloop_ingest_requests_total', help: 'Requests to the ingestion doors, by door and outcome (accepted 2xx, refused 4xx, failed 5xx)',
    labelNames: ['door', 'outcome'], registers: [registry],
  });
  const refusals = new Counter({
    name: 'leadloop_ingest_refusals_total', help: 'Ingestion requests refused whole, by door and status (401 key, 400 body, 413 size, 429 rate)',
    labelNames: ['door', 'status'], registers: [registry],
  });
  const pipeline = ingestPipelineOf(deps);
  new Counter({
    name: 'leadloop_ingest_messages_total', help: 'Segment-API messages by outcome: received, stored, duplicate (deduplicated by messageId), dead_lettered, identity_only',
    labelNames: ['outcome'], registers: [registry],
    collect() {
      this.reset();
      const c = pipeline.counters;
      const outcomes = { received: c.received, stored: c.stored, duplicate: c.duplicates, dead_lettered: c.deadLettered, identity_only: c.identityOnly };
      for (const [outcome, n] of Object.entries(outcomes)) this.inc({ outcome }, n);
    },
  });
  new Counter({
    name: 'leadloop_ingest_dropped_total', help: 'Messages acknowledged and dropped on purpose, by reason (e.g. tracking refused)', labelNames: ['reason'], registers: [registry],
    collect() { this.reset(); for (const [reason, n] of Object.entries(pipeline.counters.dropped)) this.inc({ reason }, n); },
  });
  registerDatabaseGauges(registry, deps.app);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids in URLs would explode label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) errors.inc({ route });
    const door = request.method === 'POST' ? ingestDoorOf(route) : null;
    if (!door) return;
    const outcome = reply.statusCode >= 500 ? 'failed' : reply.statusCode >= 400 ? 'refused' : 'accepted';
    ingestRequests.inc({ door, outcome });
    if (outcome === 'refused') refusals.inc({ door, status: String(reply.statusCode) });
  });
  app.get('/metrics', { config: { permission: 'metrics' }, schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await scrape(deps.jobMetrics ? Registry.merge([registry, deps.jobMetrics]) : registry);
    reply.header('content-type', contentType);
    return body;
  });
}
