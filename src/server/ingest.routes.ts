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
import { ingestTrustOf } from '../core/ingest-trust.rules.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, pageOf, pageQuery } from './contract/common.contract.ts';
import { deadLetterDto, ingestResponse, ingestStatsDto, toDeadLetterDto } from './contract/ingest.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError } from './errors.ts';
import { ingestGuard, ingestPrincipal } from './ingest-auth.ts';
import { sdkSettingsRoutes } from './sdk-settings.routes.ts';

const gunzip = promisify(gunzipCb);
// Compressed bodies are checked again after decompression; this only bounds what we read off the wire.
const RAW_BODY_LIMIT = 4 * 1024 * 1024;
/** A CDP's forwarding batch (Segment Actions sends up to 1,000 events by default): bounded, but above Segment's 500 KB. */
export const MAX_FORWARD_BYTES = 4 * 1024 * 1024;
const bodyBytes = new WeakMap<FastifyRequest, number>();

/** Segment analytics-next's short paths: `/v1/t` is track, `/v1/b` a batch (batching delivery strategy). */
const shortPaths: Record<string, MessageType> = { p: 'page', t: 'track', i: 'identify', g: 'group', a: 'alias', s: 'screen' };
const batchPaths = ['/v1/batch', '/v1/b', '/beacon/v1/batch', '/v1/import'];
const FORWARD_PATH = '/v1/webhook';

function clientError(message: string, code?: string, statusCode = 400): Error {
  return Object.assign(new Error(message), { statusCode, ...(code ? { code } : {}) });
}

function bodyLimitOf(path: string): { limit: number; what: string } {
  if (path === FORWARD_PATH) return { limit: MAX_FORWARD_BYTES, what: `forwarded request (${MAX_FORWARD_BYTES / 1024 / 1024} MB)` };
  if (batchPaths.includes(path)) return { limit: MAX_BATCH_BYTES, what: `batch (${MAX_BATCH_BYTES / 1024} KB)` };
  return { limit: MAX_MESSAGE_BYTES, what: `message (${MAX_MESSAGE_BYTES / 1024} KB)` };
}

/**
 * Reads a possibly gzip-compressed JSON body within Segment's limits (32 KB per call, 500 KB per
 * batch), whatever its Content-Type: sendBeacon and analytics-next send `text/plain`.
 */
async function parseIngestBody(request: FastifyRequest, raw: Buffer): Promise<unknown> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  const { limit, what } = bodyLimitOf(request.url.split('?')[0]!);
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
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Batch = { messages: unknown[]; sentAt?: Date };
/**
 * The messages of a batch-like body: Segment's envelope `{batch, sentAt, context}`, a bare JSON array
 * (Segment Webhooks (Actions) in batch mode), or one message carrying its `type` (classic Segment
 * Webhooks and RudderStack's webhook destination POST every message type to one URL).
 */
function batchOf(body: unknown): Batch | null {
  if (Array.isArray(body)) return { messages: body };
  if (!isObject(body)) return null;
  if (Array.isArray(body.batch)) {
    const shared = isObject(body.context) ? body.context : null;
    const messages = shared ? body.batch.map((m) => (isObject(m) ? { ...m, context: { ...shared, ...(isObject(m.context) ? m.context : {}) } } : m)) : body.batch;
    return { messages, sentAt: isDate(body.sentAt) };
  }
  return typeof body.type === 'string' ? { messages: [body] } : null;
}

/**
 * Segment-compatible tracking API and the browser SDKs' doors: POST /v1/identify|track|page|screen|
 * group|alias|batch, analytics-next's short paths (/v1/t, /v1/b...), RudderStack's /beacon/v1/batch,
 * /v1/import (history: timestamps kept as sent) and /v1/webhook (CDP forwarding). Its own plugin
 * scope: a body parser for JSON in any content type (browsers send text/plain to avoid CORS
 * preflights), gzip, Segment's size limits and write-key auth; CORS comes from `ingestCors`.
 */
export function ingestRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const pipeline = ingestPipelineOf(deps);
  const guard = ingestGuard(deps.auth);
  sdkSettingsRoutes(server, deps);

  void server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: RAW_BODY_LIMIT }, async (request: FastifyRequest, raw: Buffer) => parseIngestBody(request, raw));
    const preflight = { config: { permission: 'public' }, schema: { hide: true } } as const;
    for (const path of ['/v1/*', '/beacon/*', '/sourceConfig', '/sourceConfig/']) scope.options(path, preflight, async (_request, reply) => reply.code(204).send());
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['ingest'];
    const schemaFor = (summary: string, hide = false) => ({ tags, summary, hide, response: { 200: ingestResponse, ...errorResponses } });

    const batchRoute = (path: string, summary: string, options: { channel: string; historical?: boolean; hide?: boolean }) =>
      app.post(path, { config: { permission: 'public' }, preHandler: guard, schema: schemaFor(summary, options.hide) }, async (request, reply) => {
        const batch = batchOf(request.body);
        if (!batch) {
          return sendError(reply, 'ValidationFailed', 'Send {"batch": [message, ...], "sentAt": "..."}, a JSON array of messages, or one message with its "type".', [{ path: 'body.batch', message: 'must be an array of messages' }]);
        }
        // History keeps each message's own timestamp: without sentAt no skew correction applies.
        const messages = options.historical ? batch.messages.map((m) => (isObject(m) ? { ...m, sentAt: undefined } : m)) : batch.messages;
        const principal = ingestPrincipal(request);
        const outcome = await ingestMessages(deps.app, pipeline, principal.workspaceId, {
          messages, batchSentAt: options.historical ? undefined : batch.sentAt, channel: options.channel, bodyBytes: bodyBytes.get(request),
          trust: ingestTrustOf(principal.permissions),
        });
        return toResponse(outcome);
      });

    batchRoute('/v1/batch', 'Send a batch of Segment messages (identify, track, page, screen, group, alias); ≤ 500 KB, ≤ 32 KB per message', { channel: 'segment' });
    batchRoute('/v1/b', 'analytics-next batching delivery (same as /v1/batch)', { channel: 'segment', hide: true });
    batchRoute('/beacon/v1/batch', 'RudderStack JS SDK beacon delivery (text/plain, ?writeKey=); same as /v1/batch', { channel: 'segment', hide: true });
    batchRoute('/v1/import', 'Historical import (Segment /v1/import): like /v1/batch, each message keeps its timestamp as sent', { channel: 'import', historical: true });
    batchRoute(FORWARD_PATH, 'Forwarded messages from a CDP (Segment Webhooks, Webhooks (Actions) single or batch, RudderStack webhook): one message, an array, or a batch; ≤ 4 MB', { channel: 'forward' });

    const single = (path: string, type: MessageType, hide: boolean) =>
      app.post(path, { config: { permission: 'public' }, preHandler: guard, schema: schemaFor(`Send one ${type} message (≤ 32 KB)`, hide) }, async (request, reply) => {
        const principal = ingestPrincipal(request);
        const outcome = await ingestMessages(deps.app, pipeline, principal.workspaceId, {
          messages: [request.body], endpointType: type, channel: 'segment', bodyBytes: bodyBytes.get(request), trust: ingestTrustOf(principal.permissions),
        });
        const error = outcome.errors[0];
        if (error) return sendError(reply, 'ValidationFailed', `Invalid ${type} message (${error.reason}): ${error.message}`, error.details.map((d) => ({ path: d.path ? `body.${d.path}` : 'body', message: d.message })));
        return toResponse(outcome);
      });
    for (const type of messageTypes) single(`/v1/${type}`, type, false);
    for (const [letter, type] of Object.entries(shortPaths)) single(`/v1/${letter}`, type, true);

    // analytics-next's own performance counters: accepted and dropped (nothing of a lead's in them).
    app.post('/v1/m', { config: { permission: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
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
