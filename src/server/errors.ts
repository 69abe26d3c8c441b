import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ErrorCode, ErrorDetail, Failure } from '../core/result.ts';

export type HttpErrorCode = ErrorCode | 'MalformedJson' | 'RouteNotFound' | 'UnsupportedMediaType' | 'InternalError';

/** The one table mapping error codes to HTTP statuses. */
export const httpStatusOf: Record<HttpErrorCode, number> = {
  ValidationFailed: 400,
  MalformedJson: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  RouteNotFound: 404,
  Conflict: 409,
  TransitionNotAllowed: 409,
  ReasonRequired: 422,
  UnknownReason: 422,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  RateLimited: 429,
  InternalError: 500,
};

export type ErrorBody = { error: { code: HttpErrorCode; message: string; details: ErrorDetail[] } };

export function sendError(reply: FastifyReply, code: HttpErrorCode, message: string, details: ErrorDetail[] = []) {
  return reply.code(httpStatusOf[code]).send({ error: { code, message, details } } satisfies ErrorBody);
}

export function sendFailure(reply: FastifyReply, failure: Failure) {
  return sendError(reply, failure.code, failure.message, failure.details);
}

function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** Body parser failures (bad JSON, size, content type, prototype keys) as the one error shape; null when not one. */
function bodyParserError(err: FastifyError, contentType: string | undefined): { code: HttpErrorCode; message: string } | null {
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
    const proto = /prototype/i.test(err.message) ? ' Keys named __proto__ or constructor.prototype are refused; rename them.' : '';
    return { code: 'MalformedJson', message: `The request body is not valid JSON: ${err.message}.${proto} Send a JSON object with Content-Type: application/json.` };
  }
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { code: 'MalformedJson', message: 'The request body is empty; send a JSON object.' };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { code: 'PayloadTooLarge', message: `The request body is larger than this endpoint accepts (${err.message}). Send less data per request.` };
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_TYPE') {
    return { code: 'UnsupportedMediaType', message: `Unsupported Content-Type '${String(contentType ?? '').slice(0, 100)}' (${err.message}); send application/json.` };
  }
  if (err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return { code: 'ValidationFailed', message: 'The Content-Length header does not match the body; resend the request.' };
  return null;
}

/**
 * PostgreSQL data exceptions (class 22: NUL or bad encoding, out-of-range numbers, too-long values) and
 * stack depth (54001) are caused by input that slipped past validation: a 400, never a 500. The request's
 * transaction was rolled back by the throw, so nothing was written.
 */
function storageRefusal(err: unknown): string | null {
  const e = err as { code?: unknown; severity?: unknown; message?: unknown };
  if (typeof e.severity !== 'string' || typeof e.code !== 'string') return null;
  // 54000: a value too long for an index entry (btree holds ~2,700 bytes).
  if (!e.code.startsWith('22') && e.code !== '54000' && e.code !== '54001') return null;
  return `A value in the request cannot be stored (${String(e.message).slice(0, 200)}). Check the request for NUL characters, invalid text, out-of-range numbers, very long values or too deep nesting, and send it again.`;
}

/**
 * Errors Fastify answers before routing (an URL that is not valid percent-encoded UTF-8), in the one shape.
 * Passed as the server's `frameworkErrors` option.
 */
export function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const message = err.code === 'FST_ERR_BAD_URL'
    ? 'The URL is not valid: a percent-encoded part is not UTF-8 (e.g. %ED%A0%80). Percent-encode the UTF-8 bytes of the text.'
    : `The request could not be routed: ${err.message}`;
  return sendError(reply, 'ValidationFailed', message, [{ path: 'url', message }]);
}

/** 404 for a method and path no route has (also the web app's answer for unknown /api paths). */
export function sendRouteNotFound(request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0] ?? '';
  // Fastify's router matches parameters of at most 100 characters: a longer id is "no route".
  const longest = Math.max(...path.split('/').map((s) => s.length));
  const hint = longest > 100 ? ` A path segment is ${longest} characters; ids and names in paths are at most 100.` : '';
  const message = `No route ${request.method} ${path.slice(0, 200)}.${hint} The API is described at /api/v1/openapi.json.`;
  return sendError(reply, 'RouteNotFound', message, [{ path: 'url', message: hint.trim() || 'no route has this method and path' }]);
}

/** Turns framework errors (schema validation, bad JSON, body limits) into the one error shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const details = err.validation.map((v) => {
        // instancePath is '/a/0/b'; turn it into 'body.a[0].b'.
        const segments = v.instancePath.split('/').filter(Boolean).map((p: string) => (/^\d+$/.test(p) ? Number(p) : p));
        const params = v.params as { keys?: string[] } | undefined;
        const unknownKeys = v.keyword === 'unrecognized_keys' && params?.keys ? `: ${params.keys.join(', ')}` : '';
        return { path: joinPath(where, segments), message: `${v.message}${unknownKeys}` };
      });
      const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
      return sendError(reply, 'ValidationFailed', `Invalid request ${where}: ${summary}`, details);
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return sendError(reply, 'InternalError', 'The server produced an invalid response; this is a bug.');
    }
    const bodyError = bodyParserError(err, request.headers['content-type']);
    if (bodyError) return sendError(reply, bodyError.code, bodyError.message, [{ path: 'body', message: bodyError.message }]);
    const stored = storageRefusal(err);
    if (stored) {
      request.log.warn({ err }, 'input reached the database and was refused there');
      return sendError(reply, 'ValidationFailed', stored, [{ path: 'body', message: stored }]);
    }
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      const message = 'The request is nested too deeply to process; flatten it (at most 64 levels of objects/arrays).';
      return sendError(reply, 'ValidationFailed', message, [{ path: 'body', message }]);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const code: HttpErrorCode = err.statusCode === 429 ? 'RateLimited' : err.statusCode === 413 ? 'PayloadTooLarge' : err.statusCode === 415 ? 'UnsupportedMediaType' : 'ValidationFailed';
      return sendError(reply, code, err.message, [{ path: code === 'RateLimited' ? 'request' : 'body', message: err.message }]);
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 'InternalError', 'Something went wrong on our side; the request was not applied. Details are in the server log.');
  });
  app.setNotFoundHandler(sendRouteNotFound);
}
