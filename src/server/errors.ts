import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
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
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      return sendError(reply, 'MalformedJson', `The request body is not valid JSON: ${err.message}. Send a JSON object with Content-Type: application/json.`);
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return sendError(reply, 'MalformedJson', 'The request body is empty; send a JSON object.');
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 'PayloadTooLarge', `The request body is larger than this endpoint accepts (${err.message}).`);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 'UnsupportedMediaType', `Unsupported Content-Type '${request.headers['content-type'] ?? ''}'; send application/json.`);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, 'ValidationFailed', err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, 'InternalError', 'Something went wrong on our side; the request was not applied. Details are in the server log.');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'RouteNotFound', `No route ${request.method} ${request.url.split('?')[0]}. The API is described at /api/v1/openapi.json.`));
}
