import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { storableIssues, type StorableIssue } from '../core/storable.rules.ts';
import { sendError } from './errors.ts';

/**
 * The Segment-compatible ingestion routes check each message on its own (src/app/ingest-messages.ts):
 * one bad message is refused alone and dead-lettered, so this guard must not refuse their whole batch.
 * Path aliases and the beacon path of the browser SDKs live under the same prefixes.
 */
function checksPerMessage(url: string | undefined): boolean {
  if (!url) return false;
  if (url === '/v1/content-ratings') return false;
  return url.startsWith('/v1/') || url.startsWith('/beacon/v1/');
}

/** A text/plain body is JSON sent without a CORS preflight (sendBeacon): check what it holds. */
function bodyValue(request: FastifyRequest): unknown {
  const body = request.body;
  if (typeof body !== 'string') return body;
  const type = String(request.headers['content-type'] ?? '');
  if (!type.startsWith('text/plain')) return body;
  try { return JSON.parse(body) as unknown; } catch { return body; }
}

/**
 * Before any route validates or handles a request: no string PostgreSQL cannot store (NUL, broken
 * Unicode), no hostile depth or size, no prototype keys, in the body, the query string or the path.
 * Runs as a preValidation hook, so zod (recursive) and the handlers only ever see storable input.
 */
export async function storableGuard(request: FastifyRequest, reply: FastifyReply) {
  if (checksPerMessage(request.routeOptions.url)) return;
  const issues: StorableIssue[] = [
    ...storableIssues(request.params, { root: 'params' }),
    ...storableIssues(request.query, { root: 'querystring' }),
    ...(request.body === undefined ? [] : storableIssues(bodyValue(request), { root: 'body' })),
  ];
  if (issues.length === 0) return;
  const summary = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
  return sendError(reply, 'ValidationFailed', `The request holds data that cannot be stored: ${summary}`, issues);
}

/**
 * The JSON body parser, refusing bytes that are not UTF-8 (decoding would silently turn them into U+FFFD)
 * and keys that would change an object's prototype; everything else is Fastify's own parser.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) {
      const error = Object.assign(new Error('the body is not valid UTF-8; send the JSON encoded as UTF-8'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      return done(error, undefined);
    }
    parse(request, body.toString('utf8'), done);
  });
}
