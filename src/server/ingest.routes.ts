import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listIngestErrors } from '../app/dead-letters.ts';
import { ingestMessages, type IngestOutcome } from '../app/ingest-messages.ts';
import type { IngestPipeline } from '../app/ingest-pipeline.ts';
import { createStandardIngestPipeline } from '../app/ingest-steps.ts';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, messageTypes, type MessageType } from '../core/segment-message.schema.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, pageOf, pageQuery } from './contract/common.contract.ts';
import { deadLetterDto, ingestResponse, ingestStatsDto, toDeadLetterDto } from './contract/ingest.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError } from './errors.ts';
import { allowAnyOrigin, ingestGuard, ingestPrincipal } from './ingest-auth.ts';

const gunzip = promisify(gunzipCb);
// Compressed bodies are checked again after decompression; this only bounds what we read off the wire.
const RAW_BODY_LIMIT = 4 * 1024 * 1024;
const bodyBytes = new WeakMap<FastifyRequest, number>();

function clientError(message: string, code?: string, statusCode = 400): Error {
  return Object.assign(new Error(message), { statusCode, ...(code ? { code } : {}) });
}

/** Reads a possibly gzip-compressed JSON body within Segment's limits (32 KB per call, 500 KB per batch). */
async function parseIngestBody(request: FastifyRequest, raw: Buffer): Promise<unknown> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  const isBatch = request.url.startsWith('/v1/batch') || request.url.startsWith('/v1/import');
  const limit = isBatch ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES;
  const what = isBatch ? `batch (${MAX_BATCH_BYTES / 1024} KB)` : `message (${MAX_MESSAGE_BYTES / 1024} KB)`;
  let body = raw;
  if (encoding === 'gzip') {
    try {
      body = await gunzip(raw, { maxOutputLength: limit + 1 });
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw clientError(`The decompressed body is larger than the limit per ${what}; split it into smaller batches.`);
      throw clientError('The body says Content-Encoding: gzip but is not valid gzip data.');
    }
  } else if (encoding !== 'identity') {
    throw clientError(`Unsupported Content-Encoding '${encoding}'; send gzip or an uncompressed body.`, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 415);
  }
  if (body.length > limit) throw clientError(`The body is ${body.length} bytes, larger than the limit per ${what}; split it into smaller batches.`);
  bodyBytes.set(request, body.length);
  if (body.length === 0) throw clientError('The request body is empty; send a JSON object.', 'FST_ERR_CTP_EMPTY_JSON_BODY');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw clientError(`${(e as Error).message}`, 'FST_ERR_CTP_INVALID_JSON_BODY');
  }
}

const toResponse = (o: IngestOutcome) => ({
  success: true, accepted: o.accepted, stored: o.stored, duplicates: o.duplicates,
  errors: o.errors.map((e) => ({ index: e.index, message_id: e.messageId, reason: e.reason, message: e.message, details: e.details })),
});

const defaultPipelines = new WeakMap<ServerDeps, IngestPipeline>();
/** The pipeline from the composition root, or the standard one (shared by all routes of a server). */
export function ingestPipelineOf(deps: ServerDeps): IngestPipeline {
  if (deps.ingest) return deps.ingest;
  let p = defaultPipelines.get(deps);
  if (!p) defaultPipelines.set(deps, (p = createStandardIngestPipeline()));
  return p;
}

const isDate = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined);

/**
 * Segment-compatible tracking API: POST /v1/identify|track|page|screen|group|alias|batch.
 * Its own plugin scope: a body parser for JSON in any content type (browsers send text/plain to
 * avoid CORS preflights), gzip, Segment's size limits, any-origin CORS and write-key auth.
 */
export function ingestRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const pipeline = ingestPipelineOf(deps);
  const guard = ingestGuard(deps.auth);

  void server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: RAW_BODY_LIMIT }, async (request: FastifyRequest, raw: Buffer) => parseIngestBody(request, raw));
    scope.addHook('onRequest', async (_request, reply) => allowAnyOrigin(reply));
    scope.options('/v1/*', { config: { permission: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['ingest'];
    const schemaFor = (summary: string) => ({ tags, summary, response: { 200: ingestResponse, ...errorResponses } });

    app.post('/v1/batch', {
      config: { permission: 'public' }, preHandler: guard,
      schema: schemaFor('Send a batch of Segment messages (identify, track, page, screen, group, alias); ≤ 500 KB, ≤ 32 KB per message'),
    }, async (request, reply) => {
      const body = request.body as { batch?: unknown; sentAt?: unknown; context?: unknown } | null;
      if (!body || typeof body !== 'object' || !Array.isArray(body.batch)) {
        return sendError(reply, 'ValidationFailed', 'A batch body is {"batch": [message, ...], "sentAt": "..."}.', [{ path: 'body.batch', message: 'must be an array of messages' }]);
      }
      const shared = body.context && typeof body.context === 'object' ? body.context as Record<string, unknown> : null;
      const messages = shared ? body.batch.map((m) => (m && typeof m === 'object' ? { ...m, context: { ...shared, ...(m as { context?: object }).context } } : m)) : body.batch;
      const outcome = await ingestMessages(deps.app, pipeline, ingestPrincipal(request).workspaceId, {
        messages, batchSentAt: isDate(body.sentAt), channel: 'segment', bodyBytes: bodyBytes.get(request),
      });
      return toResponse(outcome);
    });

    for (const type of messageTypes) {
      app.post(`/v1/${type}`, {
        config: { permission: 'public' }, preHandler: guard, schema: schemaFor(`Send one ${type} message (≤ 32 KB)`),
      }, async (request, reply) => {
        const outcome = await ingestMessages(deps.app, pipeline, ingestPrincipal(request).workspaceId, {
          messages: [request.body], endpointType: type as MessageType, channel: 'segment', bodyBytes: bodyBytes.get(request),
        });
        const error = outcome.errors[0];
        if (error) return sendError(reply, 'ValidationFailed', `Invalid ${type} message (${error.reason}): ${error.message}`, error.details.map((d) => ({ path: d.path ? `body.${d.path}` : 'body', message: d.message })));
        return toResponse(outcome);
      });
    }
  });

  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/ingest/errors', {
    config: { permission: 'read' },
    schema: {
      tags: ['ingest'], summary: 'Events refused by ingestion (dead letters), newest first, with the reason',
      querystring: z.strictObject({ reason: z.string().max(100).optional(), ...pageQuery }), response: { 200: pageOf(deadLetterDto), ...errorResponses },
    },
  }, async (request) => {
    const page = await listIngestErrors(deps.app, principalOf(request).workspaceId, { reason: request.query.reason }, request.query);
    return { data: page.data.map(toDeadLetterDto), next_cursor: page.nextCursor };
  });

  app.get('/api/v1/ingest/stats', {
    config: { permission: 'read' },
    schema: { tags: ['ingest'], summary: 'Ingestion counters of this process (received, stored, duplicates, dead letters, drops by reason)', response: { 200: ingestStatsDto, ...errorResponses } },
  }, async () => {
    const c = pipeline.counters;
    return { received: c.received, stored: c.stored, duplicates: c.duplicates, dead_lettered: c.deadLettered, identity_only: c.identityOnly, dropped: { ...c.dropped } };
  });
}
